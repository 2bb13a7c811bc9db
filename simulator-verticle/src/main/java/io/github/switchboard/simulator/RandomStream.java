package io.github.switchboard.simulator;

import io.github.switchboard.protocol.Delivery;
import io.github.switchboard.protocol.Groups;
import io.vertx.core.Vertx;

import java.util.concurrent.ThreadLocalRandom;

/** {@code {"message":N}} with N in [0,100] to the {@code random} group, once per interval. */
final class RandomStream {

  static final int MAX = 100;

  private final Vertx vertx;
  private final long intervalMs;
  private long timer = -1;

  RandomStream(Vertx vertx, long intervalMs) {
    this.vertx = vertx;
    this.intervalMs = intervalMs;
  }

  void start() {
    if (timer >= 0) {
      return;
    }
    timer = vertx.setPeriodic(intervalMs, id -> {
      int n = ThreadLocalRandom.current().nextInt(MAX + 1);
      vertx.eventBus().publish(Groups.address(Groups.RANDOM), Delivery.json("{\"message\":" + n + "}").encode());
    });
  }

  void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }
}
