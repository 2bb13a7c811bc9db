package io.github.switchboard.clustertest;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/** Waiting on a condition with a deadline, polling from the test thread every 50 ms. */
final class Waits {

  private Waits() {
  }

  static void until(TestCluster cluster, String what, BooleanSupplier condition, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for %s", what).isLessThan(deadline);
      cluster.vertx.timer(50).await(5, TimeUnit.SECONDS);
    }
  }
}
