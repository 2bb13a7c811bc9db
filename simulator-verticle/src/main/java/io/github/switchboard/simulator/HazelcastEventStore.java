package io.github.switchboard.simulator;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.github.switchboard.coordination.HazelcastFutures;
import io.github.switchboard.coordination.StoreUnavailableException;
import io.github.switchboard.coordination.fence.Fenced;
import io.github.switchboard.coordination.fence.FencedOutException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Events in a Hazelcast map (backed up on another member, under the cluster's quorum), each with
 * the token of the simulator that wrote or fenced it last: the standby loads them when it takes
 * over, and any simulator instance answers snapshots from them.
 */
final class HazelcastEventStore implements EventStore {

  static final String MAP = "switchboard.scores.events";

  private final Vertx vertx;
  private final IMap<String, Fenced> events;

  HazelcastEventStore(Vertx vertx, HazelcastInstance hazelcast) {
    this.vertx = vertx;
    this.events = hazelcast.getMap(MAP);
  }

  @Override
  public Future<List<ScoreEvent>> load(Collection<String> ids) {
    return vertx.<List<ScoreEvent>>executeBlocking(() -> {
      // By key, not the map's entries: a key missing from memory (after a full restart, with the
      // map written through to PostgreSQL) is read back from the database.
      TreeMap<String, ScoreEvent> sorted = new TreeMap<>();
      events.getAll(new HashSet<>(ids)).forEach((id, e) -> sorted.put(id, ScoreEvent.fromJson(new JsonObject(e.value()))));
      return new ArrayList<>(sorted.values());
    }, false).recover(e -> Future.failedFuture(StoreUnavailableException.translate(e)));
  }

  @Override
  public Future<List<ScoreEvent>> takeOver(long token, Collection<String> ids) {
    return HazelcastFutures.on(vertx.getOrCreateContext(), events.submitToKeys(new HashSet<>(ids), new Fenced.Raise(token)))
      .recover(e -> Future.failedFuture(StoreUnavailableException.translate(e)))
      .compose(raised -> {
        TreeMap<String, ScoreEvent> sorted = new TreeMap<>();
        for (Map.Entry<String, Fenced> entry : raised.entrySet()) {
          Fenced event = entry.getValue();
          if (event == null) {
            continue;
          }
          if (event.token() > token) {
            return Future.failedFuture(new FencedOutException("takeover of " + entry.getKey(), token, event.token()));
          }
          sorted.put(entry.getKey(), ScoreEvent.fromJson(new JsonObject(event.value())));
        }
        return Future.succeededFuture(new ArrayList<>(sorted.values()));
      });
  }

  @Override
  public Future<Void> save(ScoreEvent event, long token) {
    return HazelcastFutures.on(vertx.getOrCreateContext(),
        events.submitToKey(event.id(), new Fenced.Write(token, event.toJson().encode())))
      .recover(e -> Future.failedFuture(StoreUnavailableException.translate(e)))
      .compose(seen -> seen == 0 ? Future.succeededFuture()
        : Future.failedFuture(new FencedOutException(event.id() + " version " + event.version(), token, seen)));
  }
}
