package io.github.switchboard.gateway;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/protocol.md 1.3: {"message":N}, N in [0,100], about once a second, the same to every socket. */
class RandomStreamTest {

  private Vertx vertx;
  private GatewayHarness gateway;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    gateway = GatewayHarness.start(vertx);
  }

  @AfterEach
  void stop() {
    gateway.close();
    vertx.close().await();
  }

  @Test
  void numbersInRangeAboutOnceASecondToEverySocket() {
    try (TestSocket a = gateway.connect("/ws/random"); TestSocket b = gateway.connect("/ws/random")) {
      GatewayHarness.await("both sockets in the random group", () -> gateway.get("/api/stats?group=random")
        .bodyAsJsonObject().getJsonObject("group").getInteger("localMembers") == 2);
      List<Long> arrivals = new ArrayList<>();
      List<Integer> atA = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        JsonObject frame = a.nextJson();
        arrivals.add(System.nanoTime());
        assertThat(frame.fieldNames()).containsExactly("message");
        assertThat(frame.getInteger("message")).isBetween(0, 100);
        atA.add(frame.getInteger("message"));
      }
      // Three intervals of about a second each: not a burst, not a stall.
      double seconds = (arrivals.get(3) - arrivals.get(0)) / 1e9;
      assertThat(seconds).isBetween(1.5, 5.0);
      // One source for everyone: B sees the same numbers (A may have had one more, published
      // between the two joins).
      List<Integer> atB = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        atB.add(b.nextJson().getInteger("message"));
      }
      assertThat(atB).isIn(atA.subList(0, 3), atA.subList(1, 4));
    }
  }
}
