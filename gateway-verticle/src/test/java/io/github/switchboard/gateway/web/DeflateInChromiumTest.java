package io.github.switchboard.gateway.web;

import io.github.switchboard.gateway.DeflateWithRealClientsTest;
import io.github.switchboard.gateway.GatewayHarness;
import io.github.switchboard.gateway.TestSocket;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.chrome.ChromeDriver;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Chromium offers permessage-deflate on every WebSocket, and the gateway accepts it: the groups
 * page gets a 2 KB message compressed (the gateway's byte counters move while the page is the
 * only compressing socket), and shows the same data as a raw client that negotiated it too.
 */
class DeflateInChromiumTest {

  static Vertx vertx;
  static GatewayHarness gateway;
  static ChromeDriver driver;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    gateway = GatewayHarness.start(vertx, new JsonObject().put("simulator", new JsonObject().put("randomIntervalMs", 60_000)));
    driver = Browser.start();
  }

  @AfterAll
  static void stop() {
    Browser.quit(driver);
    gateway.close();
    vertx.close().await();
  }

  private static double compressedBytes() {
    return gateway.metric("switchboard_deflate_bytes_total{form=\"compressed\"}");
  }

  private static List<String> shown() {
    return Browser.all(driver, "#log li.delivery[data-group='feed'] .text").stream().map(e -> e.getText()).toList();
  }

  @Test
  void theBrowserAndARawClientNegotiateItAndGetIdenticalData() {
    driver.get(gateway.url() + "/groups/?subscribe=feed");
    Browser.awaitStatus(driver, "connected", Duration.ofSeconds(10));
    Browser.await(driver, Duration.ofSeconds(5), "subscribed", d -> Browser.all(d, "#log li.status-entry").stream()
      .anyMatch(li -> li.getText().contains("subscribed to feed")));

    double before = compressedBytes();
    JsonObject first = DeflateWithRealClientsTest.payload(1, 2048);
    gateway.post("/api/groups/feed/messages", new JsonObject().put("data", first));
    Browser.await(driver, Duration.ofSeconds(5), "first message", d -> shown().size() == 1);
    assertThat(shown().get(0)).isEqualTo("[feed] " + first.encode());
    assertThat(compressedBytes() - before).as("the page's copy went out compressed").isPositive();

    try (TestSocket raw = TestSocket.connect(vertx, gateway.port, "/ws", Map.of(), DeflateWithRealClientsTest.compressing())) {
      assertThat(raw.socket().headers().get("Sec-WebSocket-Extensions")).startsWith("permessage-deflate");
      raw.send(new JsonObject().put("type", "subscribe").put("group", "feed").put("id", "s"));
      raw.awaitJson(j -> "subscribed".equals(j.getString("type")));
      JsonObject second = DeflateWithRealClientsTest.payload(2, 2048);
      gateway.post("/api/groups/feed/messages", new JsonObject().put("data", second));
      Browser.await(driver, Duration.ofSeconds(5), "second message", d -> shown().size() == 2);
      JsonObject got = raw.awaitJson(j -> "message".equals(j.getString("type"))).getJsonObject("data");
      assertThat(got).isEqualTo(second);
      assertThat(shown().get(1)).isEqualTo("[feed] " + got.encode());
    }
  }
}
