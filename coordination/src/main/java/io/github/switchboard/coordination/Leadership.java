package io.github.switchboard.coordination;

import io.github.switchboard.coordination.fence.RoleFence;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Lock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * Exactly one active instance per cluster for a role (the score simulator, the chat sweeper),
 * fenced.
 *
 * <p>Every instance asks for the same cluster-wide lock (Vert.x's, which Hazelcast frees when
 * its holder leaves the cluster). The lock only decides who tries: the one that gets it then
 * draws the role's next fencing token ({@link RoleFence}), and is active only once it has one.
 * Its writes carry the token and the stores refuse a token older than one they have seen, so an
 * instance that lost the role without knowing it (frozen, cut off) cannot overwrite its
 * successor's work; the lock alone could not promise that, since each side of a network split
 * grants it.
 *
 * <p>The active instance gives the role up ({@link #lost}) when its view of the cluster falls
 * below the quorum ({@link ClusterQuorum}, checked every {@value #QUORUM_CHECK_MS} ms), when it
 * finds that its process stalled ({@link #current}), or when its owner reports a refused write; it says so in its log, turns standby at once, and asks
 * again once the quorum is back. A side of a split without the quorum cannot draw a token, so it
 * never becomes active.
 */
public final class Leadership {

  /** How long one attempt waits for the lock before the next attempt. */
  public static final long DEFAULT_ATTEMPT_MS = 2_000;
  /** How often the active instance looks at its view of the cluster and at its own clock. */
  public static final long QUORUM_CHECK_MS = 250;
  /**
   * A process that did not run for this long (frozen, a long GC pause, a stalled VM) gives its
   * role up before it does anything else: the others declare a silent member dead after the
   * heartbeat timeout (6 s in cluster.xml) and a standby may hold the role by now, while this
   * process still sees the old cluster and its stale copies. Well below the heartbeat timeout.
   */
  public static final long STALL_MS = 2_000;
  /** Pause after a failed token draw or a lost role before asking again. */
  static final long RETRY_MS = 1_000;
  private static final Logger log = LoggerFactory.getLogger(Leadership.class);

  private final Vertx vertx;
  private final String role;
  private final long attemptMs;
  private final RoleFence fence;
  private final ClusterQuorum quorum;
  private LongConsumer onActive;
  private Consumer<String> onLost;
  private Lock lock;
  private long token;
  private long watch = -1;
  /** When the active instance's check last ran (System.nanoTime()). */
  private long lastCheck;
  private boolean stopped;
  private boolean waitingLogged;

  public Leadership(Vertx vertx, String role, long attemptMs, RoleFence fence, ClusterQuorum quorum) {
    this.vertx = vertx;
    this.role = role;
    this.attemptMs = attemptMs;
    this.fence = fence;
    this.quorum = quorum;
  }

  /**
   * Keeps trying to become active. Calls {@code onActive} with the token, on the caller's
   * context, each time it does; {@code onLost} with the reason each time it gives the role up.
   */
  public void start(LongConsumer onActive, Consumer<String> onLost) {
    this.onActive = onActive;
    this.onLost = onLost;
    attempt();
  }

  public boolean isActive() {
    return token > 0;
  }

  /**
   * Whether this instance may act as the role holder now: it is active and has not stalled
   * since its last check. Ask it right before each write and each publish: after a freeze the
   * timers that were due run first, possibly before the check that notices the stall, and they
   * must not act on the role (a stall found here gives the role up at once).
   */
  public boolean current() {
    if (!isActive()) {
      return false;
    }
    long stalled = System.nanoTime() - lastCheck;
    if (stalled > STALL_MS * 1_000_000) {
      lost("this process did not run for " + stalled / 1_000_000 + " ms");
      return false;
    }
    return true;
  }

  /** The fencing token of this instance's term; 0 when standing by. */
  public long token() {
    return token;
  }

  /**
   * Gives the role up after this instance failed to take it on (it could not load its state,
   * say), so that a standby can try; this instance tries again after {@code retryMs}.
   */
  public void resign(long retryMs) {
    if (release()) {
      log.warn("role={} resigned; trying again in {} ms", role, retryMs);
    }
    vertx.setTimer(retryMs, id -> attempt());
  }

  /**
   * The role is gone (the quorum is lost, or a store refused this instance's token): stop now,
   * and ask again later.
   */
  public void lost(String reason) {
    if (!isActive()) {
      return;
    }
    release();
    log.warn("role={} lost: {}; standing by", role, reason);
    onLost.accept(reason);
    vertx.setTimer(RETRY_MS, id -> attempt());
  }

  /** Releases the lock (if held) so a standby takes over now rather than after a timeout. */
  public Future<Void> stop() {
    stopped = true;
    if (release()) {
      log.info("role={} released", role);
    }
    return Future.succeededFuture();
  }

  private boolean release() {
    token = 0;
    if (watch >= 0) {
      vertx.cancelTimer(watch);
      watch = -1;
    }
    if (lock == null) {
      return false;
    }
    lock.release();
    lock = null;
    return true;
  }

  private void attempt() {
    if (stopped || lock != null) {
      return;
    }
    if (!quorum.present()) {
      if (!waitingLogged) {
        log.warn("role={} not asked for: this instance sees too little of the cluster ({})", role, quorum.describe());
        waitingLogged = true;
      }
      vertx.setTimer(QUORUM_CHECK_MS, id -> attempt());
      return;
    }
    waitingLogged = false;
    vertx.sharedData().getLockWithTimeout("switchboard.leader." + role, attemptMs).onComplete(ar -> {
      if (stopped) {
        if (ar.succeeded()) {
          ar.result().release();
        }
        return;
      }
      if (ar.failed()) {
        log.debug("role={} standing by: {}", role, ar.cause().getMessage());
        // Retried from a timer so that a failing lock service does not spin.
        vertx.setTimer(100, id -> attempt());
        return;
      }
      lock = ar.result();
      fence.next(role).onComplete(drawn -> {
        if (stopped || lock == null) {
          return;
        }
        if (drawn.failed()) {
          release();
          log.warn("role={} not taken: no fencing token could be drawn ({}); trying again in {} ms", role,
            drawn.cause().getMessage(), RETRY_MS);
          vertx.setTimer(RETRY_MS, id -> attempt());
          return;
        }
        token = drawn.result();
        lastCheck = System.nanoTime();
        watch = vertx.setPeriodic(QUORUM_CHECK_MS, id -> {
          long now = System.nanoTime();
          long since = now - lastCheck;
          lastCheck = now;
          if (since > STALL_MS * 1_000_000) {
            lost("this process did not run for " + since / 1_000_000 + " ms");
          } else if (!quorum.present()) {
            lost("this instance sees too little of the cluster (" + quorum.describe() + ")");
          }
        });
        log.info("role={} active on this instance (fencing token {})", role, token);
        onActive.accept(token);
      });
    });
  }
}
