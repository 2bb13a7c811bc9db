package io.github.switchboard.coordination.history;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class LocalStreamHistoryTest extends StreamHistoryContract {

  @Override
  StreamHistory newHistory(Vertx vertx, int maxStreams) {
    return new LocalStreamHistory(vertx, maxStreams);
  }

  @Test
  void expiredStreamsAreFreedByTheTimerWithoutAnyTraffic() throws Exception {
    HistoryPolicy shortLived = new HistoryPolicy(CAPACITY, 200);
    for (int i = 0; i < 500; i++) {
      append(history, stream("idle-" + i), shortLived);
    }
    assertThat(call(history::size)).isEqualTo(500);

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (call(history::size) != 0) {
      assertThat(System.nanoTime()).as("the sweep freed every expired stream").isLessThan(deadline);
      vertx.timer(100).await(5, TimeUnit.SECONDS);
    }
  }
}
