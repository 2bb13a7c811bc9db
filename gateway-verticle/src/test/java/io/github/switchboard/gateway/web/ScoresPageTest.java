package io.github.switchboard.gateway.web;

import io.github.switchboard.gateway.Await;
import io.github.switchboard.gateway.GatewayHarness;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The live scores page (/scores/), like the React page of the seed app. */
class ScoresPageTest {

  static Vertx vertx;
  static int port;
  static GatewayHarness gateway;
  static ChromeDriver driver;

  @BeforeAll
  static void start() throws IOException {
    vertx = Vertx.vertx();
    port = freePort();
    gateway = GatewayHarness.start(vertx, new JsonObject().put("port", port));
    driver = Browser.start();
  }

  @AfterAll
  static void stop() {
    Browser.quit(driver);
    if (gateway != null) {
      gateway.close();
    }
    Await.result(vertx.close());
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  static Map<String, String> versions() {
    return Browser.all(driver, "#cards .card").stream()
      .collect(Collectors.toMap(card -> card.getDomAttribute("data-id"), card -> card.getDomAttribute("data-version")));
  }

  static int number(String id) {
    return Integer.parseInt(Browser.text(driver, id));
  }

  @Test
  void cardsChangeLivePingShowsLatencyAndStatsCountMessages() {
    driver.get(gateway.url() + "/scores/");
    Browser.awaitStatus(driver, "connected", Duration.ofSeconds(5));
    Browser.await(driver, Duration.ofSeconds(5), "five cards", d -> Browser.all(d, "#cards .card").size() == 5);
    List<String> ids = Browser.all(driver, "#cards .card").stream().map(c -> c.getDomAttribute("data-id")).toList();
    assertThat(ids).containsExactly("EVENT#00", "EVENT#01", "EVENT#02", "EVENT#03", "EVENT#04");
    WebElement first = driver.findElement(By.cssSelector("#cards .card"));
    assertThat(first.findElement(By.cssSelector(".score")).getText()).matches("\\d+ – \\d+");
    assertThat(first.findElement(By.cssSelector(".name")).getText()).isNotBlank();
    Map<String, String> initial = versions();

    // Each event changes every 2 to 7 s: some card changes within 8 s.
    Browser.await(driver, Duration.ofSeconds(8), "a card to change", d -> !versions().equals(initial));
    assertThat(Browser.all(driver, "#log li.received").stream().map(WebElement::getText).toList())
      .anyMatch(t -> t.contains("INITIAL: 5 events"))
      .anyMatch(t -> t.contains("UPDATE EVENT#"));

    driver.findElement(By.id("ping")).click();
    String latency = Browser.await(driver, Duration.ofSeconds(5), "latency", d -> {
      String text = Browser.text(d, "latency");
      return text.matches("\\d+ ms") ? text : null;
    });
    assertThat(Integer.parseInt(latency.split(" ")[0])).isBetween(0, 5000);
    assertThat(Browser.all(driver, "#log li.received").stream().map(WebElement::getText).toList())
      .anyMatch(t -> t.contains("PONG after"));

    // INITIAL + at least one UPDATE + PONG
    assertThat(number("stat-messages")).isGreaterThanOrEqualTo(3);
    assertThat(number("stat-events")).isEqualTo(5);
    Browser.await(driver, Duration.ofSeconds(3), "connected time", d -> Browser.text(d, "stat-connected").matches("\\d+:\\d\\d"));
    Browser.screenshot(driver, "scores");
  }

  @Test
  void disconnectStopsAndConnectResumes() {
    driver.get(gateway.url() + "/scores/");
    Browser.awaitStatus(driver, "connected", Duration.ofSeconds(5));
    driver.findElement(By.id("disconnect")).click();
    Browser.awaitStatus(driver, "disconnected", Duration.ofSeconds(3));
    assertThat(Browser.text(driver, "status-detail")).isEqualTo("Closed.");
    assertThat(driver.findElement(By.id("ping")).isEnabled()).isFalse();
    driver.findElement(By.id("connect")).click();
    Browser.awaitStatus(driver, "connected", Duration.ofSeconds(5));
    Browser.await(driver, Duration.ofSeconds(5), "cards again", d -> Browser.all(d, "#cards .card").size() == 5);
  }

  @Test
  void reconnectsOnItsOwnWhenTheGatewayRestarts() {
    driver.get(gateway.url() + "/scores/");
    Browser.awaitStatus(driver, "connected", Duration.ofSeconds(5));
    int before = number("stat-messages");
    gateway.close(); // closes every socket with 1001
    gateway = null;
    Browser.await(driver, Duration.ofSeconds(5), "disconnect logged", d -> Browser.all(d, "#log li.status-entry").stream()
      .anyMatch(li -> li.getText().contains("closed (code 1001)") && li.getText().contains("reconnecting in")));
    gateway = GatewayHarness.start(vertx, new JsonObject().put("port", port));
    Browser.awaitStatus(driver, "connected", Duration.ofSeconds(10));
    assertThat(Browser.text(driver, "stat-reconnects")).isEqualTo("1");
    Browser.await(driver, Duration.ofSeconds(5), "INITIAL again", d -> number("stat-messages") > before);
    assertThat(Browser.all(driver, "#cards .card")).hasSize(5);
  }

  @Test
  void leavingThePageClosesItsSocketAndComingBackReconnects() {
    driver.get(gateway.url() + "/scores/");
    Browser.awaitStatus(driver, "connected", Duration.ofSeconds(5));
    GatewayHarness.await("scores socket open", () -> scoresSockets() == 1);
    driver.get(gateway.url() + "/random/");
    // Not even a page kept in the back/forward cache holds its socket open.
    GatewayHarness.await("scores socket closed", () -> scoresSockets() == 0);
    driver.navigate().back();
    Browser.awaitStatus(driver, "connected", Duration.ofSeconds(5));
    GatewayHarness.await("scores socket open again", () -> scoresSockets() == 1);
    Browser.await(driver, Duration.ofSeconds(5), "five cards", d -> Browser.all(d, "#cards .card").size() == 5);
  }

  static int scoresSockets() {
    return gateway.stats().getJsonObject("connectionsByEndpoint").getInteger("/ws/scores");
  }
}
