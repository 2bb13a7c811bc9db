package io.github.switchboard.gateway.web;

import io.github.switchboard.gateway.Await;
import io.github.switchboard.gateway.GatewayHarness;
import io.github.switchboard.gateway.TestSocket;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every page and the client library are served by the gateway; every page loads without
 * script errors, labels its controls, announces its status or log, and fits a phone's width.
 * The index page shows the gateway's connections and cluster members.
 */
class PagesAreServedAccessibleAndFitAPhoneTest {

  static final List<String> PAGES = List.of("/", "/chat/?room=lobby", "/scores/", "/random/", "/hub/", "/groups/", "/feature/");

  static Vertx vertx;
  static GatewayHarness gateway;
  static ChromeDriver driver;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    gateway = GatewayHarness.start(vertx);
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
  void indexLinksEveryAppAndShowsConnectionsAndMembers() {
    try (TestSocket hub = gateway.connect("/ws/hub")) {
      GatewayHarness.await("hub socket counted", () -> gateway.stats().getInteger("connections") == 1);
      driver.manage().window().setSize(Browser.DESKTOP);
      driver.get(gateway.url() + "/");
      Browser.await(driver, Duration.ofSeconds(5), "connection count", d -> Browser.text(d, "connections").equals("1"));
      assertThat(Browser.text(driver, "mode")).isEqualTo("embedded");
      assertThat(Browser.text(driver, "members")).isEqualTo("1");
      List<String> links = new ArrayList<>();
      for (WebElement link : Browser.all(driver, "main .apps a")) {
        links.add(link.getDomProperty("pathname"));
      }
      assertThat(links).containsExactly("/chat/", "/scores/", "/random/", "/hub/", "/groups/", "/feature/");
      Browser.screenshot(driver, "index");
      // Keyboard: the first Tab reaches the skip link.
      driver.findElement(By.tagName("body")).sendKeys(Keys.TAB);
      assertThat(driver.switchTo().activeElement().getDomAttribute("class")).isEqualTo("skip-link");
    }
  }

  @Test
  void clientLibraryIsAnEsModule() {
    var response = gateway.get("/js/realtime.js");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("content-type")).contains("javascript");
    driver.get(gateway.url() + "/");
    Object exports = Browser.jsAsync(driver, """
      const done = arguments[arguments.length - 1];
      import('/js/realtime.js').then(m => done(Object.keys(m).sort().join(',')), e => done('failed: ' + e));
      """);
    assertThat(exports).isEqualTo("CONNECTION_DEFAULTS,Connection,MULTIPLEX_DEFAULTS,MultiplexConnection,"
      + "RealtimeError,STATUS,connect,connectMultiplex,toWebSocketUrl");
  }

  @Test
  void everyPageLoadsCleanlyIsLabelledAndFitsAPhone() {
    Browser.consoleErrors(driver);
    driver.manage().window().setSize(Browser.PHONE);
    try {
      for (String page : PAGES) {
        driver.get(gateway.url() + page);
        Browser.await(driver, Duration.ofSeconds(5), page + " scripts ran",
          d -> "complete".equals(Browser.js(d, "return document.readyState")));
        assertThat(driver.findElement(By.tagName("html")).getDomAttribute("lang")).as(page).isEqualTo("en");
        assertThat(Browser.all(driver, "[aria-live], [role=log], [role=status]")).as(page + " live region").isNotEmpty();
        Object unlabelled = Browser.js(driver, """
          return [...document.querySelectorAll('input, textarea, select')]
            .filter(el => el.type !== 'hidden' && el.labels.length === 0 && !el.getDomAttribute('aria-label'))
            .map(el => el.id || el.name);""");
        assertThat((List<?>) unlabelled).as(page + " controls without a label").isEmpty();
        Object nameless = Browser.js(driver, """
          return [...document.querySelectorAll('button, a')]
            .filter(el => !(el.textContent.trim() || el.getDomAttribute('aria-label'))).map(el => el.outerHTML);""");
        assertThat((List<?>) nameless).as(page + " buttons and links without a name").isEmpty();
        Object overflow = Browser.js(driver,
          "return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
        assertThat(((Number) overflow).intValue()).as(page + " horizontal overflow at phone width").isLessThanOrEqualTo(0);
        assertThat(Browser.consoleErrors(driver)).as(page + " console errors").isEmpty();
      }
      driver.get("about:blank"); // the sockets of the last page close
      GatewayHarness.await("no sockets left", () -> gateway.stats().getInteger("connections") == 0);
      driver.get(gateway.url() + "/");
      Browser.await(driver, Duration.ofSeconds(5), "stats", d -> Browser.text(d, "connections").equals("0"));
      Browser.screenshot(driver, "index-phone");
    } finally {
      driver.manage().window().setSize(Browser.DESKTOP);
    }
  }
}
