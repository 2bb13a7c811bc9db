package io.github.switchboard.coordination.fence;

import io.vertx.core.Future;

/**
 * Fencing tokens for the roles (one active instance each): every takeover draws the next token
 * of its role, strictly greater than any drawn before, and the active instance writes with it.
 * A store that has seen a greater token refuses the write ({@link FencedOutException}), so an
 * instance that lost its role without knowing it (frozen, cut off, slow) cannot overwrite the
 * work of its successor.
 *
 * <p>Clustered, the tokens live in the map {@value HazelcastRoleFence#MAP}, under the cluster's
 * quorum: a side of a network split without it cannot draw one.
 */
public interface RoleFence {

  /** Draws the next token of {@code role}; fails when the store cannot be written. */
  Future<Long> next(String role);
}
