package io.github.switchboard.loadgen;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class LatencyRecorderTest {

  @Test
  void percentilesComeOutInMilliseconds() {
    LatencyRecorder r = new LatencyRecorder();
    for (int i = 1; i <= 1000; i++) {
      r.recordMicros(i * 10L); // 10 us .. 10 ms
    }
    JsonObject s = r.summary();
    assertThat(s.getLong("count")).isEqualTo(1000);
    assertThat(s.getDouble("p50Ms")).isCloseTo(5.0, within(0.01));
    assertThat(s.getDouble("p99Ms")).isCloseTo(9.9, within(0.01));
    assertThat(s.getDouble("p999Ms")).isCloseTo(9.99, within(0.01));
    assertThat(s.getDouble("maxMs")).isCloseTo(10.0, within(0.01));
    assertThat(s.getDouble("minMs")).isCloseTo(0.01, within(0.001));
  }

  @Test
  void negativeSamplesAreCountedAndRecordedAsZero() {
    LatencyRecorder r = new LatencyRecorder();
    r.recordMicros(-5);
    r.recordMicros(100);
    JsonObject s = r.summary();
    assertThat(s.getLong("count")).isEqualTo(2);
    assertThat(s.getLong("negativeSamples")).isEqualTo(1);
    assertThat(s.getDouble("minMs")).isZero();
  }

  @Test
  void summariesAccumulateAcrossCalls() {
    LatencyRecorder r = new LatencyRecorder();
    r.recordMicros(1000);
    assertThat(r.summary().getLong("count")).isEqualTo(1);
    r.recordMicros(2000);
    assertThat(r.summary().getLong("count")).isEqualTo(2);
    assertThat(r.summary().getLong("count")).isEqualTo(2);
  }

  @Test
  void recordsFromManyThreadsWithoutLosingSamples() throws InterruptedException {
    LatencyRecorder r = new LatencyRecorder();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      Thread th = new Thread(() -> {
        for (int i = 0; i < 25_000; i++) {
          r.recordMicros(i % 5000);
        }
      });
      threads.add(th);
      th.start();
    }
    for (Thread th : threads) {
      th.join();
    }
    assertThat(r.summary().getLong("count")).isEqualTo(100_000);
  }

  @Test
  void anEmptyRecorderSaysSo() {
    assertThat(new LatencyRecorder().summary().getLong("count")).isZero();
    assertThat(LatencyRecorder.describe(new LatencyRecorder().summary())).isEqualTo("no samples");
  }
}
