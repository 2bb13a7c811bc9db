package io.github.switchboard.simulator;

import io.github.switchboard.protocol.Addresses;
import io.github.switchboard.protocol.Delivery;
import io.github.switchboard.protocol.Groups;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;

import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code {"message":N}} with N in [0,100] to the {@code random} group, once per interval; and,
 * on {@link Addresses#RANDOM_LATEST}, the newest number for a socket that just opened (the seed
 * app sent its first number at once, not a second later). Active on one simulator at a time.
 */
final class RandomStream {

  static final int MAX = 100;

  private final Vertx vertx;
  private final long intervalMs;
  private long timer = -1;
  private MessageConsumer<Object> latest;
  /** The newest number published, as its JSON text; null before the first. */
  private String last;

  RandomStream(Vertx vertx, long intervalMs) {
    this.vertx = vertx;
    this.intervalMs = intervalMs;
  }

  void start() {
    if (timer >= 0) {
      return;
    }
    timer = vertx.setPeriodic(intervalMs, id -> {
      last = next();
      vertx.eventBus().publish(Groups.address(Groups.RANDOM), Delivery.json(last).encode());
    });
    // Before the first tick there is no newest number yet: a fresh one answers, and is the newest
    // from then on, so every socket that opens before the tick starts with the same number.
    latest = vertx.eventBus().consumer(Addresses.RANDOM_LATEST, request -> {
      if (last == null) {
        last = next();
      }
      request.reply(last);
    });
  }

  private static String next() {
    return "{\"message\":" + ThreadLocalRandom.current().nextInt(MAX + 1) + "}";
  }

  void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    if (latest != null) {
      latest.unregister();
      latest = null;
    }
  }
}
