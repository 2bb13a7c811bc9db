package io.github.switchboard.gateway.transport;

/**
 * Per-connection message rate limit: a token bucket of {@code burst} messages refilled at
 * {@code perSecond}. The bucket's state lives in the {@link Connection} (two numbers), so this
 * object is shared by every socket.
 */
final class RateLimiter {

  /** Tokens are kept in thousandths so that slow rates refill smoothly in integer arithmetic. */
  static final long SCALE = 1000;

  private final double scaledPerNano;
  private final long burstScaled;

  RateLimiter(int perSecond, int burst) {
    this.scaledPerNano = perSecond * (double) SCALE / 1_000_000_000d;
    this.burstScaled = burst * SCALE;
  }

  /** Fills the bucket of a new connection. */
  void fill(Connection connection, long nowNanos) {
    connection.refilled(burstScaled, nowNanos);
  }

  /** Takes one token from the bucket if it has one, after refilling it for the time passed. */
  boolean tryAcquire(Connection connection, long nowNanos) {
    long elapsed = nowNanos - connection.refilledAt();
    long tokens = connection.tokens();
    if (elapsed > 0) {
      tokens = (long) Math.min(burstScaled, tokens + elapsed * scaledPerNano);
      connection.refilled(tokens, nowNanos);
    }
    if (tokens >= SCALE) {
      connection.refilled(tokens - SCALE, nowNanos);
      return true;
    }
    return false;
  }
}
