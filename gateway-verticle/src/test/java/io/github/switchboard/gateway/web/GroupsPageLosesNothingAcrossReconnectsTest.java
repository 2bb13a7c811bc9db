package io.github.switchboard.gateway.web;

import io.github.switchboard.chat.ChatVerticle;
import io.github.switchboard.gateway.Await;
import io.github.switchboard.gateway.GatewayHarness;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The groups page (/groups/) subscribes to a stream group on /ws through the client library: a
 * chat group, or a group the rules give a history. Its gateway is stopped and started again on
 * the same port (or it switches to another gateway) while the chat service and the stream
 * store (shared by the gateways of this JVM) keep running and a second gateway keeps
 * publishing: the page reconnects, resubscribes with {@code since}, and shows every message
 * once, in order.
 */
class GroupsPageLosesNothingAcrossReconnectsTest {

  /** No embedded services, and {@code orders.*} a stream group. */
  static final JsonObject NO_SERVICES = new JsonObject().put("embeddedServices", false).put("groups", new JsonArray()
    .add(new JsonObject().put("pattern", "orders.*").put("publish", true)
      .put("history", new JsonObject().put("size", 100).put("ttlMs", 600_000)))
    .add(new JsonObject().put("pattern", "*").put("publish", true)));

  static Vertx vertx;
  static int port;
  static GatewayHarness pageGateway;
  static GatewayHarness otherGateway;
  static ChromeDriver driver;

  @BeforeAll
  static void start() throws IOException {
    vertx = Vertx.vertx();
    // The chat service lives outside the gateways, so its history and seq outlive a restart.
    Await.result(vertx.deployVerticle(new ChatVerticle(), new DeploymentOptions().setConfig(new JsonObject())));
    port = freePort();
    pageGateway = GatewayHarness.start(vertx, NO_SERVICES.copy().put("port", port));
    otherGateway = GatewayHarness.start(vertx, NO_SERVICES);
    driver = Browser.start();
  }

  @AfterAll
  static void stop() {
    Browser.quit(driver);
    for (GatewayHarness gateway : new GatewayHarness[] {pageGateway, otherGateway}) {
      if (gateway != null) {
        gateway.close();
      }
    }
    Await.result(vertx.close());
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  static void publish(String group, String text) {
    var response = otherGateway.post("/api/groups/" + group + "/messages", new JsonObject().put("data", text));
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(202);
  }

  static List<String> deliveries(WebDriver d, String group) {
    return Browser.all(d, "#log li.delivery[data-group='" + group + "']").stream()
      .map(li -> li.getDomAttribute("data-seq") + " " + li.findElement(By.cssSelector(".text")).getText()).toList();
  }

  static long statusEntries(WebDriver d, String status) {
    return Browser.all(d, "#log li.status-entry[data-status='" + status + "']").size();
  }

  @Test
  void messagesPublishedWhileTheGatewayWasDownArriveOnceAfterTheReconnect() {
    String group = "chat.restart-" + UUID.randomUUID().toString().substring(0, 8);
    driver.get(pageGateway.url() + "/groups/?subscribe=" + group + "&since=0");
    Browser.awaitStatus(driver, "connected", Duration.ofSeconds(5));
    Browser.await(driver, Duration.ofSeconds(5), "subscribed", d -> Browser.all(d, "#log li.status-entry").stream()
      .anyMatch(li -> li.getText().contains("subscribed to " + group + " since 0 (recovered: true)")));

    publish(group, "one");
    publish(group, "two");
    Browser.await(driver, Duration.ofSeconds(5), "two live messages", d -> deliveries(d, group).size() == 2);

    pageGateway.close(); // every socket gets 1001
    pageGateway = null;
    Browser.await(driver, Duration.ofSeconds(5), "disconnected", d -> statusEntries(d, "disconnected") >= 1);
    publish(group, "three, while the page's gateway is down");
    publish(group, "four, while the page's gateway is down");
    // At least one reconnect attempt fails (nothing listens on the port) before the restart.
    Browser.await(driver, Duration.ofSeconds(10), "a failed attempt", d -> Browser.all(d, "#log li.status-entry").stream()
      .anyMatch(li -> li.getText().contains("code 1006")));

    pageGateway = GatewayHarness.start(vertx, NO_SERVICES.copy().put("port", port));
    Browser.await(driver, Duration.ofSeconds(15), "connected again", d -> statusEntries(d, "connected") == 2);
    Browser.awaitStatus(driver, "connected", Duration.ofSeconds(1));
    Browser.await(driver, Duration.ofSeconds(5), "resubscribed with since", d -> Browser.all(d, "#log li.status-entry").stream()
      .anyMatch(li -> li.getText().contains("resubscribed to " + group + " since 2 (recovered: true)")));
    Browser.await(driver, Duration.ofSeconds(5), "missed messages replayed", d -> deliveries(d, group).size() >= 4);
    publish(group, "five, live again");
    Browser.await(driver, Duration.ofSeconds(5), "live again", d -> deliveries(d, group).size() >= 5);

    List<String> shown = deliveries(driver, group);
    assertThat(shown).containsExactly(
      "1 [" + group + " #1] api: one",
      "2 [" + group + " #2] api: two",
      "3 [" + group + " #3] api: three, while the page's gateway is down",
      "4 [" + group + " #4] api: four, while the page's gateway is down",
      "5 [" + group + " #5] api: five, live again");
    assertThat(Browser.text(driver, "dropped-count")).isEqualTo("0");
    WebElement sub = driver.findElement(By.cssSelector("#subs li[data-group='" + group + "'] .last-seq"));
    assertThat(sub.getText()).isEqualTo("last seq 5");
    // The ping button measures a round trip through the library.
    driver.findElement(By.id("ping")).click();
    Browser.await(driver, Duration.ofSeconds(5), "rtt", d -> Browser.text(d, "rtt").matches("[\\d.]+ ms"));
    Browser.screenshot(driver, "groups");
  }

  @Test
  void aSwitchToAnotherGatewayLosesNothingOfAStreamGroup() throws IOException {
    String group = "orders.switch-" + UUID.randomUUID().toString().substring(0, 8);
    int firstPort = freePort();
    int secondPort = freePort();
    GatewayHarness first = GatewayHarness.start(vertx, NO_SERVICES.copy().put("port", firstPort));
    GatewayHarness second = null;
    try {
      String gateways = "ws://127.0.0.1:" + firstPort + "/ws,ws://127.0.0.1:" + secondPort + "/ws";
      driver.get(first.url() + "/groups/?subscribe=" + group + "&since=0&gateways=" + gateways);
      Browser.awaitStatus(driver, "connected", Duration.ofSeconds(5));
      Browser.await(driver, Duration.ofSeconds(5), "subscribed", d -> Browser.all(d, "#log li.status-entry").stream()
        .anyMatch(li -> li.getText().contains("subscribed to " + group + " since 0 (recovered: true)")));
      publish(group, "one");
      Browser.await(driver, Duration.ofSeconds(5), "first message", d -> deliveries(d, group).size() == 1);

      first.close(); // gone for good; the second gateway is not up yet
      publish(group, "two, while no gateway of the page is up");
      Browser.await(driver, Duration.ofSeconds(10), "both gateways tried", d -> Browser.all(d, "#log li.status-entry").stream()
        .filter(li -> li.getText().contains("code 1006")).count() >= 2);
      // The second gateway serves pages of another origin here, so it must allow it.
      second = GatewayHarness.start(vertx, NO_SERVICES.copy().put("port", secondPort)
        .put("allowedOrigins", new JsonArray().add("*")));
      Browser.await(driver, Duration.ofSeconds(15), "connected to the second gateway", d -> Browser.all(d, "#log li.status-entry")
        .stream().anyMatch(li -> li.getText().contains("connected to ws://127.0.0.1:" + secondPort + "/ws")));
      publish(group, "three, on the second gateway");
      Browser.await(driver, Duration.ofSeconds(5), "three messages", d -> deliveries(d, group).size() >= 3);
      assertThat(deliveries(driver, group)).containsExactly(
        "1 [" + group + " #1] one",
        "2 [" + group + " #2] two, while no gateway of the page is up",
        "3 [" + group + " #3] three, on the second gateway");
    } finally {
      if (second != null) {
        second.close();
      }
    }
  }
}
