package io.github.switchboard.loadgen;

import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.concurrent.atomic.LongAdder;

/**
 * Latencies in microseconds, recorded from any number of threads (an HdrHistogram
 * {@link Recorder}, 3 significant digits, auto-resizing). Negative samples (a sender's clock
 * ahead of the receiver's; impossible on one machine unless the clock steps) are counted and
 * recorded as 0.
 */
public final class LatencyRecorder {

  private final Recorder recorder = new Recorder(3);
  private final LongAdder negative = new LongAdder();
  private Histogram total;

  public void recordMicros(long micros) {
    if (micros < 0) {
      negative.increment();
      micros = 0;
    }
    recorder.recordValue(micros);
  }

  /** Everything recorded so far (this and earlier calls); recording may go on. */
  public synchronized Histogram histogram() {
    Histogram interval = recorder.getIntervalHistogram();
    if (total == null) {
      total = interval.copy();
    } else {
      total.add(interval);
    }
    return total.copy();
  }

  public long negativeSamples() {
    return negative.sum();
  }

  /** count, mean, min, p50, p90, p99, p99.9, max, all in milliseconds (3 decimals). */
  public JsonObject summary() {
    return summary(histogram(), negativeSamples());
  }

  static JsonObject summary(Histogram h, long negative) {
    JsonObject json = new JsonObject().put("count", h.getTotalCount());
    if (h.getTotalCount() == 0) {
      return json;
    }
    json.put("meanMs", ms(h.getMean()))
      .put("minMs", ms(h.getMinValue()))
      .put("p50Ms", ms(h.getValueAtPercentile(50)))
      .put("p90Ms", ms(h.getValueAtPercentile(90)))
      .put("p99Ms", ms(h.getValueAtPercentile(99)))
      .put("p999Ms", ms(h.getValueAtPercentile(99.9)))
      .put("maxMs", ms(h.getMaxValue()));
    if (negative > 0) {
      json.put("negativeSamples", negative);
    }
    return json;
  }

  static double ms(double micros) {
    return Math.round(micros) / 1000.0;
  }

  /** One line for people: {@code p50 1.234 ms  p99 ...}. */
  public static String describe(JsonObject summary) {
    if (summary.getLong("count", 0L) == 0) {
      return "no samples";
    }
    return String.format("n=%d  p50 %.3f ms  p99 %.3f ms  p99.9 %.3f ms  max %.3f ms",
      summary.getLong("count"), summary.getDouble("p50Ms"), summary.getDouble("p99Ms"),
      summary.getDouble("p999Ms"), summary.getDouble("maxMs"));
  }
}
