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
import org.openqa.selenium.chrome.ChromeDriver;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin page on an embedded gateway (the one-command run) in Chromium: the key is asked for,
 * a wrong one refused, and after the login the one process shows its gateway, chat and
 * simulator, and the page keeps up with a socket that opens. The cluster case is cluster-tests'
 * AdminPageInChromiumTest.
 */
class AdminPageEmbeddedTest {

  private static final String KEY = "embedded-admin-key";
  private static final Duration LIVE = Duration.ofSeconds(15);

  static Vertx vertx;
  static GatewayHarness gateway;
  static ChromeDriver driver;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    gateway = GatewayHarness.start(vertx, new JsonObject().put("apiKey", KEY));
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

  @Test
  void afterALoginTheOneProcessShowsItsThreeComponentsAndItsSockets() {
    driver.get(gateway.url() + "/admin/");
    driver.findElement(By.id("key")).sendKeys("not-the-key");
    driver.findElement(By.cssSelector("form button[type=submit]")).click();
    Browser.await(driver, LIVE, "the refusal", d -> d.getPageSource().contains("That is not the API key."));
    driver.findElement(By.id("key")).sendKeys(KEY);
    driver.findElement(By.cssSelector("form button[type=submit]")).click();

    Browser.await(driver, LIVE, "one member running the gateway, chat and simulator", d ->
      d.findElements(By.cssSelector("#members tbody td.runs")).stream().anyMatch(cell -> {
        String roles = cell.getDomAttribute("data-roles");
        return roles != null && roles.contains("gateway") && roles.contains("chat:active") && roles.contains("simulator:active");
      }));
    assertThat(Browser.text(driver, "members-summary")).contains("Embedded");
    assertThat(Browser.all(driver, "#warnings li")).isEmpty();

    try (TestSocket socket = gateway.connect("/ws/chat/lobby")) {
      Browser.await(driver, LIVE, "the socket counted", d ->
        d.findElements(By.cssSelector("#gateways td[data-field=connections]")).stream().anyMatch(td -> td.getText().equals("1")));
      Browser.await(driver, LIVE, "its room listed", d ->
        !d.findElements(By.cssSelector("#groups tr[data-group='chat.lobby']")).isEmpty());
    }
    driver.findElement(By.cssSelector("form.logout button")).click();
    Browser.await(driver, LIVE, "logged out: the form again", d -> !d.findElements(By.id("key")).isEmpty());
  }
}
