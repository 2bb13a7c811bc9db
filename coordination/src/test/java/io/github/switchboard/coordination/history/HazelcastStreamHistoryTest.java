package io.github.switchboard.coordination.history;

import com.hazelcast.core.DistributedObject;
import com.hazelcast.core.HazelcastInstance;
import io.github.switchboard.coordination.EmbeddedHazelcast;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Collection;

import static org.assertj.core.api.Assertions.assertThat;

/** The contract on a real (single-member) Hazelcast cluster, plus what only the cluster gives. */
class HazelcastStreamHistoryTest extends StreamHistoryContract {

  private static HazelcastInstance hazelcast;

  @BeforeAll
  static void startMember() {
    hazelcast = EmbeddedHazelcast.start();
  }

  @AfterAll
  static void stopMember() {
    if (hazelcast != null) {
      hazelcast.shutdown();
    }
  }

  /** A map per test: the bound counts every stream of the map. */
  private final String map = "test.history." + java.util.UUID.randomUUID();

  @Override
  StreamHistory newHistory(Vertx vertx, int maxStreams) {
    return new HazelcastStreamHistory(vertx, hazelcast, map, maxStreams);
  }

  @Test
  void anotherInstanceContinuesTheStreamFromTheCluster() throws Exception {
    String s = stream("takeover");
    appendTimes(s, 3);

    // What a standby chat instance does when it takes over: a store of its own on the cluster.
    StreamHistory standby = onContext(() -> newHistory(vertx, MAX_STREAMS));
    assertThat(offsetsOf(call(() -> standby.since(s, 0)))).containsExactly(1L, 2L, 3L);
    assertThat(append(standby, s, POLICY).offset()).isEqualTo(4);
    assertThat(offsets(since(s, 0))).containsExactly(1L, 2L, 3L, 4L);
  }

  @Test
  void manyStreamsLiveInOneMap() throws Exception {
    int before = names(hazelcast.getDistributedObjects());
    for (int i = 0; i < 300; i++) {
      append(stream("many-" + i));
    }
    assertThat(hazelcast.getMap(map).size()).isGreaterThanOrEqualTo(300);
    assertThat(names(hazelcast.getDistributedObjects())).as("no structure per stream").isLessThanOrEqualTo(before + 1);
  }

  @Test
  void aBurstOfExpiredStreamsIsSweptWithinSecondsNotMinutes() throws Exception {
    // Hazelcast's own expiry would clean a tenth of the expired entries per partition every 5 s;
    // the sweep removes them all at its next run.
    HistoryPolicy shortLived = new HistoryPolicy(CAPACITY, 1_000);
    for (int i = 0; i < MAX_STREAMS - 100; i++) {
      String s = stream("burst-" + i);
      call(() -> history.append(s, payload(s, 1), 1L, shortLived));
    }
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    while (!hazelcast.getMap(map).isEmpty()) {
      assertThat(System.nanoTime()).as("every stream removed").isLessThan(deadline);
      vertx.timer(100).await(5, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  private static int names(Collection<DistributedObject> objects) {
    return objects.size();
  }

  private static java.util.List<Long> offsetsOf(StreamHistory.Page page) {
    return offsets(page);
  }
}
