package io.github.switchboard.simulator;

import io.github.switchboard.coordination.fence.FencedOutException;
import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;

/**
 * Events in this JVM, for the embedded mode, with the same fencing as the cluster's store (one
 * JVM has one simulator, but the rule costs nothing and keeps both stores alike). Used from the
 * simulator's event loop.
 */
final class LocalEventStore implements EventStore {

  private record Stored(long token, ScoreEvent event) {
  }

  private final TreeMap<String, Stored> events = new TreeMap<>();

  @Override
  public Future<List<ScoreEvent>> load(Collection<String> ids) {
    List<ScoreEvent> loaded = new ArrayList<>();
    events.forEach((id, stored) -> {
      if (ids.contains(id)) {
        loaded.add(stored.event());
      }
    });
    return Future.succeededFuture(loaded);
  }

  @Override
  public Future<List<ScoreEvent>> takeOver(long token, Collection<String> ids) {
    List<ScoreEvent> loaded = new ArrayList<>();
    for (String id : new TreeMap<>(events).keySet()) {
      Stored stored = events.get(id);
      if (!ids.contains(id)) {
        continue;
      }
      if (stored.token() > token) {
        return Future.failedFuture(new FencedOutException("takeover of " + id, token, stored.token()));
      }
      events.put(id, new Stored(token, stored.event()));
      loaded.add(stored.event());
    }
    return Future.succeededFuture(loaded);
  }

  @Override
  public Future<Void> save(ScoreEvent event, long token) {
    Stored stored = events.get(event.id());
    if (stored != null && stored.token() > token) {
      return Future.failedFuture(new FencedOutException(event.id() + " version " + event.version(), token, stored.token()));
    }
    events.put(event.id(), new Stored(token, event));
    return Future.succeededFuture();
  }
}
