package io.github.switchboard.gateway.web;

import io.github.switchboard.gateway.Await;
import io.github.switchboard.gateway.GatewayHarness;
import io.github.switchboard.gateway.TestSocket;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The broadcast hub page (/hub/) in two browsers, plus a backend client on /ws/hub. */
class HubPageTest {

  static final Duration WAIT = Duration.ofSeconds(5);

  static Vertx vertx;
  static GatewayHarness gateway;
  static ChromeDriver alice;
  static ChromeDriver bob;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    gateway = GatewayHarness.start(vertx, new JsonObject().put("embeddedServices", false));
    List<ChromeDriver> browsers = Browser.startTwo();
    alice = browsers.get(0);
    bob = browsers.get(1);
  }

  @AfterAll
  static void stop() {
    Browser.quit(alice, bob);
    if (gateway != null) {
      gateway.close();
    }
    Await.result(vertx.close());
  }

  static List<String> log(WebDriver driver, String kind) {
    return Browser.all(driver, "#log li." + kind + " .text").stream().map(WebElement::getText).toList();
  }

  static void type(WebDriver driver, String format, String text) {
    driver.findElement(By.cssSelector("input[name=format][value=" + format + "]")).click();
    WebElement box = driver.findElement(By.id("outgoing"));
    box.clear();
    box.sendKeys(text);
  }

  @Test
  void framesReachTheOtherPagesAndTheBackendButNotTheSender() {
    alice.get(gateway.url() + "/hub/");
    bob.get(gateway.url() + "/hub/");
    Browser.awaitStatus(alice, "connected", WAIT);
    Browser.awaitStatus(bob, "connected", WAIT);
    try (TestSocket backend = gateway.connect("/ws/hub")) {
      GatewayHarness.await("three hub sockets",
        () -> gateway.stats().getJsonObject("connectionsByEndpoint").getInteger("/ws/hub") == 3);

      // Text, sent with the button.
      type(alice, "text", "hello <b>hub</b>");
      alice.findElement(By.id("send")).click();
      Browser.await(bob, WAIT, "text at bob", d -> log(d, "received").contains("hello <b>hub</b>"));
      assertThat(backend.next().text()).isEqualTo("hello <b>hub</b>");
      assertThat(log(alice, "sent")).containsExactly("hello <b>hub</b>");
      assertThat(Browser.all(bob, "#log b")).isEmpty();

      // JSON, sent with Ctrl+Enter.
      type(bob, "json", "{\"greeting\": \"hi\", \"n\": 1}");
      bob.findElement(By.id("outgoing")).sendKeys(Keys.chord(Keys.CONTROL, Keys.ENTER));
      Browser.await(alice, WAIT, "JSON at alice", d -> log(d, "received").stream().anyMatch(t -> t.contains("\"greeting\": \"hi\"")));
      assertThat(new JsonObject(backend.next().text())).isEqualTo(new JsonObject().put("greeting", "hi").put("n", 1));

      // Invalid JSON is refused in the page: nothing is sent.
      type(alice, "json", "{oops");
      alice.findElement(By.id("send")).click();
      assertThat(Browser.text(alice, "send-error")).startsWith("Not valid JSON");
      assertThat(Browser.text(alice, "sent-count")).isEqualTo("1");

      // A backend publishes like the Django server of the seed app: both pages show it.
      backend.send(new JsonObject().put("myMsg", "Hello from Django"));
      for (WebDriver driver : List.of(alice, bob)) {
        Browser.await(driver, WAIT, "backend frame", d -> log(d, "received").stream().anyMatch(t -> t.contains("Hello from Django")));
      }

      // Nobody's own frame came back to them as received.
      assertThat(log(alice, "received")).noneMatch(t -> t.contains("hello <b>hub</b>"));
      assertThat(log(bob, "received")).noneMatch(t -> t.contains("greeting"));
      assertThat(Browser.text(alice, "received-count")).isEqualTo("2");
      assertThat(Browser.text(bob, "received-count")).isEqualTo("2");
      Browser.screenshot(bob, "hub");
    }
  }
}
