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

  private final Vertx vertx;
  private final Timer delay;
  private long timerId = -1;
  private long expectedAt;

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
      delay.record(Math.max(0, now - expectedAt), TimeUnit.NANOSECONDS);
      expectedAt = now + TimeUnit.MILLISECONDS.toNanos(INTERVAL_MS);
    });
  }

  public void stop() {
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
    }
  }
}
