package io.github.switchboard.gateway.web;

import io.github.switchboard.gateway.Await;
import io.github.switchboard.gateway.GatewayHarness;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.chrome.ChromeDriver;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static io.github.switchboard.gateway.web.GroupsPageLosesNothingAcrossReconnectsTest.NO_SERVICES;
import static io.github.switchboard.gateway.web.GroupsPageLosesNothingAcrossReconnectsTest.deliveries;
import static io.github.switchboard.gateway.web.GroupsPageLosesNothingAcrossReconnectsTest.freePort;
import static io.github.switchboard.gateway.web.GroupsPageLosesNothingAcrossReconnectsTest.statusEntries;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The groups page behind a proxy that refuses every WebSocket upgrade: the client library falls
 * back by itself to Server-Sent Events (its frames going up by POST), the page says so, and a
 * restart of the gateway behind the proxy loses nothing of a stream group: the page comes back
 * over HTTP again and resumes from its last offset.
 */
class GroupsPageFallsBackWithoutWebSocketTest {

  static Vertx vertx;
  static int port;
  static GatewayHarness pageGateway;
  static GatewayHarness otherGateway;
  static UpgradeBlockingProxy proxy;
  static ChromeDriver driver;

  @BeforeAll
  static void start() throws IOException {
    vertx = Vertx.vertx();
    port = freePort();
    pageGateway = GatewayHarness.start(vertx, NO_SERVICES.copy().put("port", port));
    // Publishes while the page's gateway is down; the stream store is this JVM's, shared.
    otherGateway = GatewayHarness.start(vertx, NO_SERVICES);
    proxy = UpgradeBlockingProxy.start(port);
    driver = Browser.start();
  }

  @AfterAll
  static void stop() throws IOException {
    Browser.quit(driver);
    proxy.close();
    for (GatewayHarness gateway : new GatewayHarness[] {pageGateway, otherGateway}) {
      if (gateway != null) {
        gateway.close();
      }
    }
    Await.result(vertx.close());
  }

  static void publish(String group, String text) {
    var response = otherGateway.post("/api/groups/" + group + "/messages",
      new io.vertx.core.json.JsonObject().put("data", text));
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(202);
  }

  @Test
  void withWebSocketsBlockedThePageFallsBackToServerSentEventsAndLosesNothingAcrossARestart() {
    String group = "orders.fallback-" + UUID.randomUUID().toString().substring(0, 8);
    driver.get("http://127.0.0.1:" + proxy.port() + "/groups/?subscribe=" + group + "&since=0");
    Browser.awaitStatus(driver, "connected", Duration.ofSeconds(15));
    assertThat(proxy.refusedUpgrades()).as("the WebSocket was tried first").isPositive();
    assertThat(Browser.text(driver, "transport")).isEqualTo("sse");
    assertThat(Browser.text(driver, "status-detail")).isEqualTo("Live, over Server-Sent Events.");
    Browser.await(driver, Duration.ofSeconds(5), "subscribed", d -> Browser.all(d, "#log li.status-entry").stream()
      .anyMatch(li -> li.getText().contains("subscribed to " + group + " since 0 (recovered: true)")));

    publish(group, "one");
    publish(group, "two");
    Browser.await(driver, Duration.ofSeconds(5), "two live messages", d -> deliveries(d, group).size() == 2);

    pageGateway.close();
    pageGateway = null;
    Browser.await(driver, Duration.ofSeconds(5), "disconnected", d -> statusEntries(d, "disconnected") >= 1);
    publish(group, "three, while the page's gateway is down");
    publish(group, "four, while the page's gateway is down");
    pageGateway = GatewayHarness.start(vertx, NO_SERVICES.copy().put("port", port));
    Browser.await(driver, Duration.ofSeconds(30), "connected again", d -> statusEntries(d, "connected") >= 2);
    Browser.await(driver, Duration.ofSeconds(5), "resubscribed with since", d -> Browser.all(d, "#log li.status-entry").stream()
      .anyMatch(li -> li.getText().contains("resubscribed to " + group + " since 2 (recovered: true)")));
    assertThat(Browser.text(driver, "transport")).as("over HTTP again").isIn("sse", "http_stream");
    Browser.await(driver, Duration.ofSeconds(5), "missed messages replayed", d -> deliveries(d, group).size() >= 4);
    publish(group, "five, live again");
    Browser.await(driver, Duration.ofSeconds(5), "live again", d -> deliveries(d, group).size() >= 5);

    List<String> shown = deliveries(driver, group);
    assertThat(shown).containsExactly(
      "1 [" + group + " #1] one",
      "2 [" + group + " #2] two",
      "3 [" + group + " #3] three, while the page's gateway is down",
      "4 [" + group + " #4] four, while the page's gateway is down",
      "5 [" + group + " #5] five, live again");
    assertThat(Browser.text(driver, "dropped-count")).isEqualTo("0");
    // Requests go up by POST: a ping's round trip.
    driver.findElement(org.openqa.selenium.By.id("ping")).click();
    Browser.await(driver, Duration.ofSeconds(5), "rtt", d -> Browser.text(d, "rtt").matches("[\\d.]+ ms"));
    // The browser reports the refused handshakes and the failed attempts; no script failed.
    assertThat(Browser.consoleErrors(driver)).as("no script error")
      .noneMatch(e -> e.contains("Uncaught") || e.contains("handler failed"));
  }
}
