package io.github.switchboard.gateway;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/protocol.md section 6: one event bus consumer per group per gateway, gone with the last socket. */
class OneConsumerPerGroupTest {

  private Vertx vertx;
  private GatewayHarness gateway;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    gateway = GatewayHarness.start(vertx, new JsonObject().put("embeddedServices", false));
  }

  @AfterEach
  void stop() {
    gateway.close();
    vertx.close().await();
  }

  private int consumers() {
    return gateway.stats().getInteger("groupConsumers");
  }

  @Test
  void consumerCountGoesZeroOneOneZero() {
    assertThat(consumers()).isZero();
    TestSocket first = gateway.connect("/ws");
    first.send("{\"type\":\"subscribe\",\"group\":\"room-x\",\"id\":1}");
    assertThat(first.nextJson().getString("type")).isEqualTo("subscribed");
    assertThat(consumers()).isEqualTo(1);

    TestSocket second = gateway.connect("/ws");
    second.send("{\"type\":\"subscribe\",\"group\":\"room-x\",\"id\":1}");
    assertThat(second.nextJson().getString("type")).isEqualTo("subscribed");
    TestSocket hub = gateway.connect("/ws/hub");
    GatewayHarness.await("hub consumer", () -> consumers() == 2);
    assertThat(gateway.get("/api/stats?group=room-x").bodyAsJsonObject().getJsonObject("group").getInteger("localMembers")).isEqualTo(2);

    first.send("{\"type\":\"unsubscribe\",\"group\":\"room-x\",\"id\":2}");
    assertThat(first.nextJson().getString("type")).isEqualTo("unsubscribed");
    assertThat(consumers()).isEqualTo(2);

    second.close();
    GatewayHarness.await("last socket of room-x gone", () -> consumers() == 1);
    hub.close();
    GatewayHarness.await("hub consumer gone", () -> consumers() == 0);
    first.close();
  }

  @Test
  void manySocketsInOneGroupShareOneConsumer() {
    TestSocket[] sockets = new TestSocket[20];
    for (int i = 0; i < sockets.length; i++) {
      sockets[i] = gateway.connect("/ws/hub");
    }
    GatewayHarness.await("20 hub members",
      () -> gateway.get("/api/stats?group=hub").bodyAsJsonObject().getJsonObject("group").getInteger("localMembers") == 20);
    assertThat(consumers()).isEqualTo(1);
    for (TestSocket socket : sockets) {
      socket.close();
    }
    GatewayHarness.await("no consumers", () -> consumers() == 0);
  }
}
