package io.github.switchboard.gateway.limit;

/**
 * Per-connection message rate limit: a token bucket of {@code burst} messages refilled at
 * {@code perSecond}. The bucket's state lives in the session (two numbers), so this object is
 * shared by every socket.
 */
public final class RateLimiter {

  /** Tokens are kept in thousandths so that slow rates refill smoothly in integer arithmetic. */
  static final long SCALE = 1000;

  private final double scaledPerNano;
  private final long burstScaled;

  public RateLimiter(int perSecond, int burst) {
    this.scaledPerNano = perSecond * (double) SCALE / 1_000_000_000d;
    this.burstScaled = burst * SCALE;
  }

  /** A bucket for a new connection: full. */
  public long initialTokens() {
    return burstScaled;
  }

  /** Takes one token from the bucket if it has one, after refilling it for the time passed. */
  public boolean tryAcquire(Bucket bucket, long nowNanos) {
    long elapsed = nowNanos - bucket.refilledAt();
    long tokens = bucket.tokens();
    if (elapsed > 0) {
      tokens = (long) Math.min(burstScaled, tokens + elapsed * scaledPerNano);
      bucket.refilled(tokens, nowNanos);
    }
    if (tokens >= SCALE) {
      bucket.refilled(tokens - SCALE, nowNanos);
      return true;
    }
    return false;
  }

  /** Where a connection keeps its bucket. */
  public interface Bucket {
    long tokens();

    long refilledAt();

    void refilled(long tokens, long at);
  }
}
