package io.github.switchboard.simulator;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.github.switchboard.coordination.HazelcastFutures;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Events in a Hazelcast map (backed up on another member): the standby simulator loads them
 * when it takes over, and any simulator instance answers snapshots from them.
 */
final class HazelcastEventStore implements EventStore {

  static final String MAP = "switchboard.scores.events";

  private final Vertx vertx;
  private final IMap<String, String> events;

  HazelcastEventStore(Vertx vertx, HazelcastInstance hazelcast) {
    this.vertx = vertx;
    this.events = hazelcast.getMap(MAP);
  }

  @Override
  public Future<List<ScoreEvent>> load() {
    return vertx.executeBlocking(() -> {
      TreeMap<String, ScoreEvent> sorted = new TreeMap<>();
      events.entrySet().forEach(e -> sorted.put(e.getKey(), ScoreEvent.fromJson(new JsonObject(e.getValue()))));
      return new ArrayList<>(sorted.values());
    }, false);
  }

  @Override
  public Future<Void> save(ScoreEvent event) {
    return HazelcastFutures.on(vertx.getOrCreateContext(), events.setAsync(event.id(), event.toJson().encode()));
  }
}
