package io.github.switchboard.simulator;

import io.github.switchboard.coordination.EmbeddedHazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.github.switchboard.coordination.fence.Fenced;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The contract on a real (single-member) Hazelcast cluster, plus what only the cluster gives. */
class HazelcastEventStoreTest extends EventStoreContract {

  private static HazelcastInstance hazelcast;
  private static Vertx vertx;

  @BeforeAll
  static void startMember() {
    hazelcast = EmbeddedHazelcast.start();
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopMember() throws Exception {
    try {
      if (vertx != null) {
        vertx.close().await(15, TimeUnit.SECONDS);
      }
    } finally {
      if (hazelcast != null) {
        hazelcast.shutdown();
      }
    }
  }

  @Override
  EventStore newEmptyStore() {
    // The map name is fixed, so the member's map is shared by all tests of this class.
    hazelcast.getMap(HazelcastEventStore.MAP).clear();
    return new HazelcastEventStore(vertx, hazelcast);
  }

  @Test
  void anotherInstanceLoadsWhatThisOneSaved() throws Exception {
    ScoreEvent event = event(2, 1).scored(true, 1_700_000_100_000L);
    save(event(0, 1));
    save(event);

    // What a standby simulator does when it takes over: a store of its own on the cluster.
    EventStore standby = new HazelcastEventStore(vertx, hazelcast);

    assertThat(await(standby.load(ScoreSimulator.eventIds()))).containsExactly(event(0, 1), event);
  }

  @Test
  void savedEventIsInTheClusterMapAsJsonWithItsTokenOnceSaveCompletes() throws Exception {
    ScoreEvent event = event(4, 3);
    await(store.save(event, 7));

    IMap<String, Fenced> map = hazelcast.getMap(HazelcastEventStore.MAP);
    assertThat(map.keySet()).containsExactly("EVENT#04");
    assertThat(new JsonObject(map.get("EVENT#04").value())).isEqualTo(event.toJson());
    assertThat(map.get("EVENT#04").token()).isEqualTo(7);
  }

  @Test
  void saveCompletesOnAVertxContext() throws Exception {
    // Callers (the simulator) continue on the future; they must not run on a Hazelcast thread.
    String[] thread = new String[1];
    await(store.save(event(0, 1), 1).andThen(ar -> thread[0] = Thread.currentThread().getName()));

    assertThat(thread[0]).startsWith("vert.x-");
  }
}
