package io.github.switchboard.gateway.transport;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The token bucket, on a clock the test moves. */
class RateLimiterTest {

  private static final long SECOND = 1_000_000_000L;

  private final TestConnection connection = new TestConnection("c1", new EmbeddedChannel());

  @Test
  void aFullBucketLetsTheBurstThroughThenRefusesUntilItRefills() {
    RateLimiter limiter = new RateLimiter(10, 3);
    long t = 5 * SECOND;
    limiter.fill(connection, t);
    assertThat(limiter.tryAcquire(connection, t)).isTrue();
    assertThat(limiter.tryAcquire(connection, t)).isTrue();
    assertThat(limiter.tryAcquire(connection, t)).isTrue();
    assertThat(limiter.tryAcquire(connection, t)).as("burst used up").isFalse();
    // 10 per second: one token every 100 ms, not before.
    assertThat(limiter.tryAcquire(connection, t + 99_000_000L)).isFalse();
    assertThat(limiter.tryAcquire(connection, t + 100_000_000L)).isTrue();
    assertThat(limiter.tryAcquire(connection, t + 100_000_000L)).isFalse();
  }

  @Test
  void refillingNeverExceedsTheBurst() {
    RateLimiter limiter = new RateLimiter(10, 2);
    long t = SECOND;
    limiter.fill(connection, t);
    long later = t + 3600 * SECOND;
    assertThat(limiter.tryAcquire(connection, later)).isTrue();
    assertThat(limiter.tryAcquire(connection, later)).isTrue();
    assertThat(limiter.tryAcquire(connection, later)).as("an hour idle still buys only the burst").isFalse();
  }

  @Test
  void slowRatesRefillSmoothly() {
    // One message a second: half a second buys nothing, a whole one buys one.
    RateLimiter limiter = new RateLimiter(1, 1);
    long t = SECOND;
    limiter.fill(connection, t);
    assertThat(limiter.tryAcquire(connection, t)).isTrue();
    assertThat(limiter.tryAcquire(connection, t + SECOND / 2)).isFalse();
    assertThat(limiter.tryAcquire(connection, t + SECOND)).isTrue();
  }

  @Test
  void refusalsAreForgivenOnlyAfterAQuietSpell() {
    long quiet = 10 * SECOND;
    assertThat(connection.rateViolation(20 * SECOND, quiet)).isEqualTo(1);
    assertThat(connection.rateViolation(21 * SECOND, quiet)).isEqualTo(2);
    assertThat(connection.rateViolation(29 * SECOND, quiet)).isEqualTo(3);
    assertThat(connection.rateViolation(40 * SECOND, quiet)).as("11 s without a refusal").isEqualTo(1);
  }
}
