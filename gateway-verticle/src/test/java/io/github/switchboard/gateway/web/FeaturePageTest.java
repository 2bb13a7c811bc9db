package io.github.switchboard.gateway.web;

import io.github.switchboard.gateway.Await;
import io.github.switchboard.gateway.GatewayHarness;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The feature page (/feature/), the seed-004 flow: the page's action goes through the gateway's
 * RPC hook to a real HTTP backend started here, whose {@code action_result} the page shows; the
 * backend's status updates, published through the server API to {@code feature_<id>}, appear
 * in the page; a refusal shows the backend's message and reason; a gateway without a backend
 * makes the page show {@code service_unavailable}.
 */
class FeaturePageTest {

  static final Duration WAIT = Duration.ofSeconds(10);
  static final String KEY = "feature-page-test-key";
  /** The input the test backend refuses. */
  static final String REFUSED_INPUT = "forbidden";

  static Vertx vertx;
  static HttpServer backend;
  static GatewayHarness gateway;
  static WebClient http;
  static ChromeDriver driver;
  static final List<JsonObject> calls = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    backend = Await.result(vertx.createHttpServer().requestHandler(FeaturePageTest::answer).listen(0, "127.0.0.1"));
    gateway = GatewayHarness.start(vertx, new JsonObject()
      .put("embeddedServices", false)
      .put("apiKey", KEY)
      .put("proxy", new JsonObject().put("rpcUrl", "http://127.0.0.1:" + backend.actualPort() + "/rpc")));
    http = WebClient.create(vertx);
    driver = Browser.start();
  }

  @AfterAll
  static void stop() {
    Browser.quit(driver);
    if (http != null) {
      http.close();
    }
    if (gateway != null) {
      gateway.close();
    }
    Await.result(vertx.close());
  }

  @BeforeEach
  void forgetCalls() {
    calls.clear();
    driver.manage().window().setSize(Browser.DESKTOP);
  }

  /**
   * The application's backend, as the seed's consumer: {@code your_action} answers an
   * {@code action_result} echoing the input, except {@link #REFUSED_INPUT}, which it refuses;
   * any other method is refused too.
   */
  static void answer(HttpServerRequest request) {
    if (!"/rpc".equals(request.path())) {
      request.response().setStatusCode(404).end();
      return;
    }
    request.body().onSuccess(body -> {
      JsonObject call = body.toJsonObject();
      calls.add(call);
      JsonObject data = call.getValue("data") instanceof JsonObject d ? d : new JsonObject();
      JsonObject reply;
      if (!"your_action".equals(call.getString("method"))) {
        reply = refusal("unknown method " + call.getString("method"), "unknown_method");
      } else if (REFUSED_INPUT.equals(data.getString("input"))) {
        reply = refusal("the input '" + REFUSED_INPUT + "' is not allowed for this feature", "input_not_allowed");
      } else {
        reply = new JsonObject().put("data", new JsonObject().put("type", "action_result").put("data", new JsonObject()
          .put("echo", data.getValue("input"))
          .put("featureId", data.getValue("featureId"))
          .put("user", call.getValue("user"))
          .put("processed", true)));
      }
      request.response().putHeader("content-type", "application/json").end(reply.encode());
    });
  }

  static JsonObject refusal(String message, String reason) {
    return new JsonObject().put("error", new JsonObject().put("message", message).put("reason", reason));
  }

  /** The backend's publish through the server API, with the key. */
  static HttpResponse<Buffer> publish(String group, JsonObject data, String key) {
    var request = http.post(gateway.port, "127.0.0.1", "/api/groups/" + group + "/messages");
    if (key != null) {
      request.bearerTokenAuthentication(key);
    }
    return Await.result(request.sendJsonObject(new JsonObject().put("data", data)));
  }

  /** Opens the page for a feature and waits until it is connected and subscribed to its group. */
  static void open(WebDriver browser, GatewayHarness on, String featureId) {
    browser.get(on.url() + "/feature/?id=" + featureId);
    Browser.awaitStatus(browser, "connected", WAIT);
    Browser.await(browser, WAIT, "subscribed to feature_" + featureId,
      d -> !d.findElements(By.cssSelector("#updates li[data-subscribed='feature_" + featureId + "']")).isEmpty());
    Browser.await(browser, WAIT, "the button enabled", d -> d.findElement(By.id("perform")).isEnabled());
  }

  static void perform(WebDriver browser, String input) {
    WebElement box = browser.findElement(By.id("input"));
    box.clear();
    box.sendKeys(input);
    browser.findElement(By.id("perform")).click();
  }

  static List<String> updates(WebDriver browser) {
    return Browser.all(browser, "#updates li.update .text").stream().map(WebElement::getText).toList();
  }

  static boolean resultShown(WebDriver browser) {
    return browser.findElement(By.id("result")).isDisplayed();
  }

  @Test
  void theActionResultAndTheStatusUpdatesOfTheBackendReachThePage() {
    Browser.consoleErrors(driver);
    open(driver, gateway, "order42");
    assertThat(Browser.text(driver, "feature-id")).isEqualTo("order42");
    assertThat(Browser.text(driver, "group-name")).isEqualTo("feature_order42");

    String input = "ship it <b>now</b>";
    perform(driver, input);
    Browser.await(driver, WAIT, "the action_result", FeaturePageTest::resultShown);
    assertThat(Browser.text(driver, "result-type")).isEqualTo("action_result");
    JsonObject shown = new JsonObject(Browser.text(driver, "result-data"));
    assertThat(shown).isEqualTo(new JsonObject().put("echo", input).put("featureId", "order42").putNull("user")
      .put("processed", true));
    assertThat(Browser.all(driver, "#result b")).as("data written as text, not HTML").isEmpty();
    assertThat(Browser.text(driver, "action-error")).isEmpty();

    // The backend got the page's call: the method, the feature and the input, and who asked.
    assertThat(calls).hasSize(1);
    JsonObject call = calls.get(0);
    assertThat(call.getString("method")).isEqualTo("your_action");
    assertThat(call.getJsonObject("data")).isEqualTo(new JsonObject().put("featureId", "order42").put("input", input));
    assertThat(call.getString("client")).isNotBlank();
    assertThat(call.containsKey("user")).isTrue();
    assertThat(call.getValue("user")).as("an anonymous page").isNull();

    // The backend publishes status updates to the feature's group; the page lists them in order.
    HttpResponse<Buffer> refused = publish("feature_order42", new JsonObject().put("type", "status_update"), null);
    assertThat(refused.statusCode()).as("no key").isEqualTo(401);
    for (int progress : List.of(50, 100)) {
      HttpResponse<Buffer> published = publish("feature_order42", new JsonObject().put("type", "status_update")
        .put("data", new JsonObject().put("status", progress < 100 ? "processing" : "done").put("progress", progress)), KEY);
      assertThat(published.statusCode()).isEqualTo(202);
    }
    Browser.await(driver, WAIT, "two status updates", d -> updates(d).size() == 2);
    assertThat(updates(driver)).containsExactly(
      "status_update: {\"status\":\"processing\",\"progress\":50}",
      "status_update: {\"status\":\"done\",\"progress\":100}");

    // Another feature's group is not this page's.
    assertThat(publish("feature_other", new JsonObject().put("type", "status_update").put("data", "x"), KEY).statusCode())
      .isEqualTo(202);
    publish("feature_order42", new JsonObject().put("type", "status_update").put("data", "last"), KEY);
    Browser.await(driver, WAIT, "the third update", d -> updates(d).size() == 3);
    assertThat(updates(driver)).last().isEqualTo("status_update: last");
    assertThat(Browser.consoleErrors(driver)).isEmpty();
    Browser.screenshot(driver, "feature");
  }

  @Test
  void aRefusedActionShowsTheBackendsMessageAndReason() {
    Browser.consoleErrors(driver);
    open(driver, gateway, "refusals");
    perform(driver, REFUSED_INPUT);
    Browser.await(driver, WAIT, "the refusal",
      d -> "backend_error".equals(d.findElement(By.id("action-error")).getDomAttribute("data-code")));
    assertThat(Browser.text(driver, "action-error"))
      .isEqualTo("backend_error: the input 'forbidden' is not allowed for this feature (reason: input_not_allowed)");
    assertThat(resultShown(driver)).isFalse();
    assertThat(calls).hasSize(1);
    assertThat(calls.get(0).getJsonObject("data").getString("input")).isEqualTo(REFUSED_INPUT);

    // The next action that goes through clears the error and shows its result.
    perform(driver, "fine");
    Browser.await(driver, WAIT, "the action_result", FeaturePageTest::resultShown);
    assertThat(new JsonObject(Browser.text(driver, "result-data")).getString("echo")).isEqualTo("fine");
    assertThat(Browser.text(driver, "action-error")).isEmpty();
    assertThat(Browser.consoleErrors(driver)).isEmpty();
  }

  @Test
  void withoutABackendThePageShowsServiceUnavailable() {
    GatewayHarness bare = GatewayHarness.start(vertx, new JsonObject().put("embeddedServices", false));
    try {
      Browser.consoleErrors(driver);
      driver.manage().window().setSize(Browser.PHONE);
      open(driver, bare, "demo");
      perform(driver, "anything");
      Browser.await(driver, WAIT, "service_unavailable",
        d -> "service_unavailable".equals(d.findElement(By.id("action-error")).getDomAttribute("data-code")));
      assertThat(Browser.text(driver, "action-error")).isEqualTo("service_unavailable: no RPC backend is configured");
      assertThat(resultShown(driver)).isFalse();
      assertThat(calls).as("the backend of the other gateway is not asked").isEmpty();
      assertThat(Browser.consoleErrors(driver)).isEmpty();
      Browser.screenshot(driver, "feature-phone");
    } finally {
      driver.get("about:blank");
      bare.close();
    }
  }

  @Test
  void anInvalidFeatureIdFallsBackToTheDefaultAndSaysSo() {
    driver.get(gateway.url() + "/feature/?id=no%20spaces");
    Browser.awaitStatus(driver, "connected", WAIT);
    assertThat(Browser.text(driver, "feature-id")).isEqualTo("demo");
    assertThat(Browser.text(driver, "group-name")).isEqualTo("feature_demo");
    assertThat(Browser.text(driver, "id-error")).contains("no spaces").contains("showing demo");
  }
}
