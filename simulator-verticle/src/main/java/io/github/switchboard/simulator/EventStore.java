package io.github.switchboard.simulator;

import io.vertx.core.Future;

import java.util.Collection;
import java.util.List;

/**
 * Where the current score events live, so that a standby simulator continues from them. Writes
 * carry the writer's fencing token ({@link io.github.switchboard.coordination.fence.RoleFence}):
 * a store that has seen a greater token refuses them with a
 * {@link io.github.switchboard.coordination.fence.FencedOutException}, so a simulator that lost
 * its role without knowing it never publishes a version its successor also issues.
 */
public interface EventStore {

  /**
   * The stored events among {@code ids}, in id order; empty before the first run. By id, not
   * "all": a store read back from a database after a full restart knows what to read.
   */
  Future<List<ScoreEvent>> load(Collection<String> ids);

  /**
   * A takeover with {@code token}: fences the stored events among {@code ids} with it (older
   * tokens are refused from then on) and returns them, in id order. Fails with a
   * FencedOutException when one was already fenced with a greater token.
   */
  Future<List<ScoreEvent>> takeOver(long token, Collection<String> ids);

  /** Saves the event unless a greater token has been seen for it (then a FencedOutException). */
  Future<Void> save(ScoreEvent event, long token);
}
