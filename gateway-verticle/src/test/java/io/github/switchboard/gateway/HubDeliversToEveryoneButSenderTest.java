package io.github.switchboard.gateway;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HubDeliversToEveryoneButSenderTest {

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

  private void awaitHubMembers(int n) {
    GatewayHarness.await(n + " hub members",
      () -> gateway.get("/api/stats?group=hub").bodyAsJsonObject().getJsonObject("group").getInteger("localMembers") == n);
  }

  @Test
  void textFromOneOfTwoReachesTheOtherOnly() {
    try (TestSocket a = gateway.connect("/ws/hub"); TestSocket b = gateway.connect("/ws/hub")) {
      awaitHubMembers(2);
      a.send("{\"myMsg\":\"Hello from Django\"}");
      TestSocket.Received atB = b.next();
      assertThat(atB.binary()).isFalse();
      assertThat(atB.text()).isEqualTo("{\"myMsg\":\"Hello from Django\"}");

      // The hub delivers in publish order, so had A received its own frame it would come first.
      b.send("plain text, not JSON");
      TestSocket.Received atA = a.next();
      assertThat(atA.text()).isEqualTo("plain text, not JSON");
      assertThat(a.pending()).isZero();
    }
  }

  @Test
  void threeClientsEachGetTheOthersFrames() {
    try (TestSocket a = gateway.connect("/ws/hub"); TestSocket b = gateway.connect("/ws/hub");
         TestSocket c = gateway.connect("/ws/hub")) {
      awaitHubMembers(3);
      a.send("from-a");
      assertThat(b.next().text()).isEqualTo("from-a");
      assertThat(c.next().text()).isEqualTo("from-a");
      b.send("from-b");
      assertThat(c.next().text()).isEqualTo("from-b");
      assertThat(a.next().text()).isEqualTo("from-b");
      c.send("from-c");
      assertThat(a.next().text()).isEqualTo("from-c");
      assertThat(b.next().text()).isEqualTo("from-c");
      assertThat(a.pending() + b.pending() + c.pending()).isZero();
    }
  }

  @Test
  void binaryStaysBinaryWithIdenticalBytes() {
    byte[] bytes = {0x00, (byte) 0xFF, (byte) 0xC3, 0x28, (byte) 0xFE, 0x00, 'h', 'i', (byte) 0x80, (byte) 0xBF};
    try (TestSocket a = gateway.connect("/ws/hub"); TestSocket b = gateway.connect("/ws/hub");
         TestSocket c = gateway.connect("/ws/hub")) {
      awaitHubMembers(3);
      a.sendBinary(Buffer.buffer(bytes));
      for (TestSocket receiver : new TestSocket[]{b, c}) {
        TestSocket.Received got = receiver.next();
        assertThat(got.binary()).isTrue();
        assertThat(got.bytes().getBytes()).containsExactly(bytes);
      }
      b.send("after");
      assertThat(a.next().text()).isEqualTo("after");
    }
  }

  @Test
  void multiplexSubscriberOfHubGetsFramesAsEnvelopes() {
    try (TestSocket hub = gateway.connect("/ws/hub"); TestSocket mux = gateway.connect("/ws")) {
      mux.send(new JsonObject().put("type", "subscribe").put("group", "hub").put("id", 1));
      assertThat(mux.nextJson().getString("type")).isEqualTo("subscribed");
      hub.send("{\"n\":1}");
      JsonObject json = mux.nextJson();
      assertThat(json.getString("group")).isEqualTo("hub");
      assertThat(json.getJsonObject("data")).isEqualTo(new JsonObject().put("n", 1));
      hub.sendBinary(Buffer.buffer(new byte[]{1, 2, (byte) 0xFF}));
      JsonObject binary = mux.nextJson();
      assertThat(binary.getString("encoding")).isEqualTo("base64");
      assertThat(binary.getString("data")).isEqualTo("AQL/");

      // A /ws publish to the hub reaches hub sockets as a plain frame, never the publisher.
      mux.send(new JsonObject().put("type", "publish").put("group", "hub").put("data", new JsonObject().put("x", 2)).put("id", 2));
      assertThat(mux.nextJson()).isEqualTo(new JsonObject().put("type", "ack").put("id", 2));
      assertThat(hub.next().text()).isEqualTo("{\"x\":2}");
      hub.send("ping-order");
      assertThat(mux.nextJson().getString("data")).isEqualTo("ping-order");
    }
  }
}
