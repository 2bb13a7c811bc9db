package io.github.switchboard.loadgen;

import java.util.concurrent.locks.LockSupport;

/**
 * A fixed-rate schedule: event {@code n} (0-based) is due at {@code start + n / rate}, whatever
 * happened to the events before it. A sender that falls behind catches up (sends the overdue
 * events at once) instead of stretching the schedule, so the offered rate is the one asked for
 * and a stall shows up as send lag, not as a lower rate.
 */
public final class FixedRateSchedule {

  private final long startNanos;
  private final double periodNanos;

  public FixedRateSchedule(long startNanos, double perSecond) {
    if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
      throw new IllegalArgumentException("rate must be a positive number, got " + perSecond);
    }
    this.startNanos = startNanos;
    this.periodNanos = 1e9 / perSecond;
  }

  /** When event {@code n} is due, in {@link System#nanoTime()} units. */
  public long dueAt(long n) {
    return startNanos + Math.round(n * periodNanos);
  }

  /** How many events are due at {@code nowNanos} (events 0 .. result-1). */
  public long dueBy(long nowNanos) {
    if (nowNanos < startNanos) {
      return 0;
    }
    long n = (long) Math.floor((nowNanos - startNanos) / periodNanos) + 1;
    // Floating point may put the boundary one event off; dueAt is the reference.
    while (n > 0 && dueAt(n - 1) > nowNanos) {
      n--;
    }
    while (dueAt(n) <= nowNanos) {
      n++;
    }
    return n;
  }

  /** Events in {@code seconds} at this rate, rounded to the nearest whole event. */
  public static long count(double perSecond, double seconds) {
    return Math.round(perSecond * seconds);
  }

  /** What a paced run calls for each event. */
  @FunctionalInterface
  public interface Action {
    /** @param n the event's number; @param dueNanos when it was due ({@link System#nanoTime()}) */
    void run(long n, long dueNanos);
  }

  /**
   * Runs events {@code 0 .. total-1} on the calling thread, each at its due time (parked until
   * then, never early). Overdue events run at once, in order.
   */
  public void run(long total, Action action) {
    for (long n = 0; n < total; n++) {
      long due = dueAt(n);
      long wait;
      while ((wait = due - System.nanoTime()) > 0) {
        LockSupport.parkNanos(wait);
        if (Thread.currentThread().isInterrupted()) {
          return;
        }
      }
      action.run(n, due);
    }
  }
}
