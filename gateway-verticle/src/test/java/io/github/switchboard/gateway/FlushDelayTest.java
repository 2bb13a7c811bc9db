package io.github.switchboard.gateway;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With {@code flushDelayMs}, deliveries wait up to that long for their socket's write and go out
 * together; replies do not wait. Only lower bounds on time are asserted: a loaded machine makes
 * everything later, never earlier.
 */
class FlushDelayTest {

  private static final long DELAY_MS = 400;

  private Vertx vertx;
  private GatewayHarness gateway;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    gateway = GatewayHarness.start(vertx, new JsonObject().put("embeddedServices", false).put("flushDelayMs", DELAY_MS));
  }

  @AfterEach
  void stop() {
    gateway.close();
    vertx.close().await();
  }

  @Test
  void deliveriesWaitForTheDelayAndArriveInOrder() {
    try (TestSocket reader = gateway.connect("/ws"); TestSocket writer = gateway.connect("/ws")) {
      reader.send("{\"type\":\"subscribe\",\"group\":\"ticks\",\"id\":1}");
      assertThat(reader.nextJson().getString("type")).isEqualTo("subscribed");

      long sent = System.nanoTime();
      for (int i = 0; i < 3; i++) {
        writer.send("{\"type\":\"publish\",\"group\":\"ticks\",\"data\":" + i + ",\"id\":" + i + "}");
      }
      for (int i = 0; i < 3; i++) {
        assertThat(writer.nextJson().getString("type")).isEqualTo("ack");
      }
      for (int i = 0; i < 3; i++) {
        JsonObject message = reader.nextJson();
        assertThat(message.getString("type")).isEqualTo("message");
        assertThat(message.getInteger("data")).isEqualTo(i);
      }
      long waitedMs = (System.nanoTime() - sent) / 1_000_000;
      assertThat(waitedMs).as("the first delivery waited for its flush").isGreaterThanOrEqualTo(DELAY_MS);
    }
  }
}
