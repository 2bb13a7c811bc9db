package io.github.switchboard.gateway.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * How late the gateway's event loop runs a timer: a blocked or saturated loop shows here before
 * clients notice. One timer per gateway, every {@link #INTERVAL_MS} ms.
 */
public final class EventLoopProbe {

  public static final long INTERVAL_MS = 1_000;
  /** Samples the admin view's "recent" maximum covers: the last minute. */
  static final int RECENT = 60;

  private final Vertx vertx;
  private final Timer delay;
  private long timerId = -1;
  private long expectedAt;
  /** The last {@link #RECENT} delays (ns), for the server API's node report; event loop only. */
  private final long[] recent = new long[RECENT];
  private int next;

  public EventLoopProbe(Vertx vertx, MeterRegistry registry) {
    this.vertx = vertx;
    this.delay = Timer.builder("switchboard.event.loop.delay")
      .description("Lateness of a periodic timer on the gateway's event loop")
      .publishPercentileHistogram()
      .minimumExpectedValue(Duration.ofNanos(100_000))
      .maximumExpectedValue(Duration.ofSeconds(10))
      .register(registry);
  }

  public void start() {
    expectedAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(INTERVAL_MS);
    timerId = vertx.setPeriodic(INTERVAL_MS, id -> {
      long now = System.nanoTime();
      long late = Math.max(0, now - expectedAt);
      delay.record(late, TimeUnit.NANOSECONDS);
      recent[next] = late;
      next = (next + 1) % RECENT;
      expectedAt = now + TimeUnit.MILLISECONDS.toNanos(INTERVAL_MS);
    });
  }

  /** The longest delay of the last minute, in milliseconds. Event loop only. */
  public double recentMaxMs() {
    long max = 0;
    for (long late : recent) {
      max = Math.max(max, late);
    }
    return max / 1e6;
  }

  /** The last delay measured, in milliseconds. Event loop only. */
  public double lastMs() {
    return recent[(next + RECENT - 1) % RECENT] / 1e6;
  }

  public void stop() {
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
    }
  }
}
