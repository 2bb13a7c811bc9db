package io.github.switchboard.gateway;

import io.github.switchboard.protocol.Delivery;
import io.github.switchboard.protocol.Groups;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MultiplexSubscribePublishTest {

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

  @Test
  void subscribePublishDeliverUnsubscribeWithNumberAndStringIds() {
    try (TestSocket alice = gateway.connect("/ws"); TestSocket bob = gateway.connect("/ws")) {
      alice.send("{\"type\":\"subscribe\",\"group\":\"news\",\"id\":1}");
      assertThat(alice.nextJson()).isEqualTo(new JsonObject().put("type", "subscribed").put("group", "news").put("id", 1));
      bob.send("{\"type\":\"subscribe\",\"group\":\"news\",\"id\":\"sub-b\"}");
      assertThat(bob.nextJson()).isEqualTo(new JsonObject().put("type", "subscribed").put("group", "news").put("id", "sub-b"));

      bob.send("{\"type\":\"publish\",\"group\":\"news\",\"data\":{\"headline\":\"hi\",\"n\":[1,2]},\"id\":\"p-1\"}");
      JsonObject ack = bob.nextJson();
      assertThat(ack).isEqualTo(new JsonObject().put("type", "ack").put("id", "p-1"));
      JsonObject expected = new JsonObject().put("type", "message").put("group", "news")
        .put("data", new JsonObject().put("headline", "hi").put("n", new JsonArray().add(1).add(2)));
      assertThat(alice.nextJson()).isEqualTo(expected);
      // Generic groups echo to the publisher when it is subscribed.
      assertThat(bob.nextJson()).isEqualTo(expected);

      alice.send("{\"type\":\"unsubscribe\",\"group\":\"news\",\"id\":2}");
      assertThat(alice.nextJson()).isEqualTo(new JsonObject().put("type", "unsubscribed").put("group", "news").put("id", 2));
      bob.send("{\"type\":\"publish\",\"group\":\"news\",\"data\":\"after\",\"id\":3}");
      assertThat(bob.nextJson().getInteger("id")).isEqualTo(3);
      assertThat(bob.nextJson().getString("data")).isEqualTo("after");
      // Alice left: her next frame is the pong, not the message published after she left.
      alice.send("{\"type\":\"ping\",\"id\":4}");
      JsonObject pong = alice.nextJson();
      assertThat(pong.getString("type")).isEqualTo("pong");
      assertThat(pong.getInteger("id")).isEqualTo(4);
      assertThat(pong.getLong("serverTime")).isPositive();
    }
  }

  @Test
  void aVerticlePublishingOnTheGroupAddressReachesSubscribers() {
    try (TestSocket socket = gateway.connect("/ws")) {
      socket.send("{\"type\":\"subscribe\",\"group\":\"orders:eu\",\"id\":1}");
      assertThat(socket.nextJson().getString("type")).isEqualTo("subscribed");

      vertx.eventBus().publish(Groups.address("orders:eu"), Delivery.json("{\"order\":42}").encode());
      assertThat(socket.nextJson()).isEqualTo(new JsonObject().put("type", "message").put("group", "orders:eu")
        .put("data", new JsonObject().put("order", 42)));

      // Any verticle may publish a plain JsonObject or String without the Delivery class.
      vertx.eventBus().publish(Groups.address("orders:eu"), new JsonObject().put("order", 43));
      assertThat(socket.nextJson().getJsonObject("data")).isEqualTo(new JsonObject().put("order", 43));
      vertx.eventBus().publish(Groups.address("orders:eu"), "shipped");
      assertThat(socket.nextJson().getString("data")).isEqualTo("shipped");
    }
  }

  @Test
  void sinceOnAGroupWithoutHistorySaysNotRecovered() {
    try (TestSocket socket = gateway.connect("/ws")) {
      socket.send("{\"type\":\"subscribe\",\"group\":\"live\",\"since\":5,\"id\":9}");
      assertThat(socket.nextJson()).isEqualTo(new JsonObject().put("type", "subscribed").put("group", "live")
        .put("id", 9).put("recovered", false));
    }
  }

  @Test
  void serviceOwnedGroupsRefuseClientPublishes() {
    try (TestSocket socket = gateway.connect("/ws")) {
      socket.send("{\"type\":\"publish\",\"group\":\"scores\",\"data\":{},\"id\":7}");
      JsonObject error = socket.nextJson();
      assertThat(error.getString("type")).isEqualTo("error");
      assertThat(error.getString("code")).isEqualTo("forbidden");
      assertThat(error.getInteger("id")).isEqualTo(7);
      socket.send("{\"type\":\"subscribe\",\"group\":\"scores\",\"id\":8}");
      assertThat(socket.nextJson().getString("type")).isEqualTo("subscribed");
    }
  }
}
