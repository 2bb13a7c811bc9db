package io.github.switchboard.simulator;

import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/** Events in this JVM, for the embedded mode. Used from the simulator's event loop. */
final class LocalEventStore implements EventStore {

  private final TreeMap<String, ScoreEvent> events = new TreeMap<>();

  @Override
  public Future<List<ScoreEvent>> load() {
    return Future.succeededFuture(new ArrayList<>(events.values()));
  }

  @Override
  public Future<Void> save(ScoreEvent event) {
    events.put(event.id(), event);
    return Future.succeededFuture();
  }
}
