package io.github.switchboard.loadgen;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FixedRateScheduleTest {

  @Test
  void eventsAreDueAtStartPlusNPeriods() {
    FixedRateSchedule s = new FixedRateSchedule(1_000, 50);
    assertThat(s.dueAt(0)).isEqualTo(1_000);
    assertThat(s.dueAt(1)).isEqualTo(1_000 + 20_000_000);
    assertThat(s.dueAt(50)).isEqualTo(1_000 + 1_000_000_000L);
  }

  @Test
  void dueByCountsEventsDueAtOrBeforeNow() {
    FixedRateSchedule s = new FixedRateSchedule(0, 1000);
    assertThat(s.dueBy(-1)).isZero();
    assertThat(s.dueBy(0)).isEqualTo(1);
    assertThat(s.dueBy(999_999)).isEqualTo(1);
    assertThat(s.dueBy(1_000_000)).isEqualTo(2);
    assertThat(s.dueBy(1_000_000_000L)).isEqualTo(1001);
  }

  @Test
  void nonIntegralPeriodsDoNotDrift() {
    // 3 per second: a period of 333,333,333.3 ns; event 3 is due exactly 1 s after the start.
    FixedRateSchedule s = new FixedRateSchedule(0, 3);
    assertThat(s.dueAt(3)).isEqualTo(1_000_000_000L);
    assertThat(s.dueAt(3_000)).isEqualTo(1_000_000_000_000L);
    for (long now = 0; now < 3_000_000_000L; now += 111_111_111L) {
      long n = s.dueBy(now);
      assertThat(s.dueAt(n - 1)).isLessThanOrEqualTo(now);
      assertThat(s.dueAt(n)).isGreaterThan(now);
    }
  }

  @Test
  void countRoundsRateTimesSeconds() {
    assertThat(FixedRateSchedule.count(50, 10)).isEqualTo(500);
    assertThat(FixedRateSchedule.count(2.5, 3)).isEqualTo(8);
  }

  @Test
  void refusesRatesThatAreNotPositive() {
    assertThatThrownBy(() -> new FixedRateSchedule(0, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new FixedRateSchedule(0, -5)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new FixedRateSchedule(0, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void runNeverFiresEarlyAndKeepsTheRateAfterAStall() {
    long start = System.nanoTime() + 5_000_000;
    FixedRateSchedule s = new FixedRateSchedule(start, 500); // every 2 ms
    List<long[]> fired = new ArrayList<>();
    s.run(20, (n, due) -> {
      fired.add(new long[] {n, due, System.nanoTime()});
      if (n == 5) {
        // A 10 ms stall: events 6..10 become overdue and must follow at once, not be skipped
        // or pushed back.
        sleep(10);
      }
    });
    assertThat(fired).hasSize(20);
    for (long[] f : fired) {
      assertThat(f[1]).isEqualTo(s.dueAt(f[0]));
      assertThat(f[2]).as("event %d fired before it was due", f[0]).isGreaterThanOrEqualTo(f[1]);
    }
    // The last event is still due 38 ms after the start: the stall did not stretch the schedule.
    assertThat(fired.get(19)[1] - start).isEqualTo(38_000_000L);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
