package io.github.switchboard.gateway.transport;

import io.vertx.core.Vertx;

import java.util.List;
import java.util.function.Consumer;

/**
 * Work over every socket (a keep-alive round, a presence refresh) split into slices, one event
 * loop task each, with the loop free for I/O in between. Done in one task, a round over 1,500
 * sockets held the loop 70-260 ms, and every other client of the gateway waited that long.
 */
public final class Slices {

  /** Items per task: a few milliseconds of work at most. */
  public static final int DEFAULT_SLICE = 200;

  private Slices() {
  }

  /**
   * Runs {@code action} on each item, {@code slice} at a time; the first slice runs now, each
   * next one on a timer of 1 ms, so that the I/O that came meanwhile is served first. Call it on
   * the event loop that owns the items.
   */
  public static <T> void forEach(Vertx vertx, List<T> items, int slice, Consumer<? super T> action) {
    run(vertx, items, 0, slice, action);
  }

  private static <T> void run(Vertx vertx, List<T> items, int from, int slice, Consumer<? super T> action) {
    int to = Math.min(items.size(), from + slice);
    for (int i = from; i < to; i++) {
      action.accept(items.get(i));
    }
    if (to < items.size()) {
      vertx.setTimer(1, id -> run(vertx, items, to, slice, action));
    }
  }
}
