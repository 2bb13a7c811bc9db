package io.github.switchboard.simulator;

import io.vertx.core.Future;

import java.util.List;

/** Where the current score events live, so that a standby simulator continues from them. */
public interface EventStore {

  /** The stored events, in id order; empty before the first run. */
  Future<List<ScoreEvent>> load();

  Future<Void> save(ScoreEvent event);
}
