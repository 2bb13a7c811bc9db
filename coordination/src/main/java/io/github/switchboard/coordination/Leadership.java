package io.github.switchboard.coordination;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Lock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exactly one active instance per cluster for a role (the score simulator, the chat owner).
 *
 * <p>Every instance asks for the same cluster-wide lock; the one that gets it is active until
 * it stops or dies, the others keep asking. Clustered, the lock is Vert.x's Hazelcast-backed
 * lock, which Hazelcast releases when the member holding it leaves the cluster (on a clean
 * stop at once; on a kill when the member is declared dead: a closed TCP connection on one
 * host, the heartbeat timeout of cluster.xml across hosts). Embedded, it is a local lock.
 */
public final class Leadership {

  /** How long one attempt waits for the lock before the next attempt. */
  public static final long DEFAULT_ATTEMPT_MS = 2_000;
  private static final Logger log = LoggerFactory.getLogger(Leadership.class);

  private final Vertx vertx;
  private final String role;
  private final long attemptMs;
  private Lock lock;
  private boolean stopped;

  public Leadership(Vertx vertx, String role, long attemptMs) {
    this.vertx = vertx;
    this.role = role;
    this.attemptMs = attemptMs;
  }

  /**
   * Keeps trying to become active; calls {@code onActive} once, on the caller's context, when
   * it does.
   */
  public void start(Runnable onActive) {
    attempt(onActive);
  }

  public boolean isActive() {
    return lock != null;
  }

  /**
   * Gives the role up after this instance failed to take it on (it could not load its state,
   * say), so that a standby can try; this instance tries again after {@code retryMs}.
   */
  public void resign(long retryMs, Runnable onActive) {
    if (lock != null) {
      lock.release();
      lock = null;
      log.warn("role={} resigned; trying again in {} ms", role, retryMs);
    }
    vertx.setTimer(retryMs, id -> attempt(onActive));
  }

  /** Releases the lock (if held) so a standby takes over now rather than after a timeout. */
  public Future<Void> stop() {
    stopped = true;
    if (lock != null) {
      lock.release();
      lock = null;
      log.info("role={} released", role);
    }
    return Future.succeededFuture();
  }

  private void attempt(Runnable onActive) {
    if (stopped) {
      return;
    }
    vertx.sharedData().getLockWithTimeout("switchboard.leader." + role, attemptMs).onComplete(ar -> {
      if (stopped) {
        if (ar.succeeded()) {
          ar.result().release();
        }
        return;
      }
      if (ar.succeeded()) {
        lock = ar.result();
        log.info("role={} active on this instance", role);
        onActive.run();
      } else {
        log.debug("role={} standing by: {}", role, ar.cause().getMessage());
        // Retried from a timer so that a failing lock service does not spin.
        vertx.setTimer(100, id -> attempt(onActive));
      }
    });
  }
}
