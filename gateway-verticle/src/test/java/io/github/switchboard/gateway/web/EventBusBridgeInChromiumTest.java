package io.github.switchboard.gateway.web;

import io.github.switchboard.gateway.Await;
import io.github.switchboard.gateway.GatewayHarness;
import io.github.switchboard.gateway.TestSocket;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openqa.selenium.chrome.ChromeDriver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The official Vert.x event-bus bridge client ({@code @vertx/eventbus-bridge-client.js} 1.0.0
 * with {@code sockjs-client} 1.6.1, pinned in src/test/bridge-client, installed by npm ci) in
 * Chromium, served from another origin: it registers on a group and gets what a {@code /ws}
 * client publishes there, publishes back, gets an ack through a reply handler, and is refused a
 * group the rules keep it from reading. Once over SockJS's WebSocket, once over its
 * xhr-polling fallback.
 */
class EventBusBridgeInChromiumTest {

  private static final Path CLIENT = Path.of("src", "test", "bridge-client", "node_modules");
  private static final JsonArray RULES = new JsonArray()
    .add(new JsonObject().put("pattern", "secret.*").put("subscribe", false).put("publish", false))
    .add(new JsonObject().put("pattern", "ledger").put("subscribe", true).put("publish", true)
      .put("history", new JsonObject().put("size", 100).put("ttlMs", 60_000)))
    .add(new JsonObject().put("pattern", "*").put("subscribe", true).put("publish", true));

  static Vertx vertx;
  static GatewayHarness gateway;
  static HttpServer fixtures;
  static ChromeDriver driver;

  @BeforeAll
  static void start() {
    if (!Files.isDirectory(CLIENT.resolve("@vertx/eventbus-bridge-client.js"))) {
      throw new IllegalStateException("the bridge client fixture is missing: run npm ci in gateway-verticle/src/test/bridge-client "
        + "(.ci/run does)");
    }
    vertx = Vertx.vertx();
    gateway = GatewayHarness.start(vertx, new JsonObject().put("groups", RULES)
      .put("simulator", new JsonObject().put("randomIntervalMs", 60_000)));
    fixtures = Await.result(vertx.createHttpServer().requestHandler(request -> {
      String path = switch (request.path()) {
        case "/sockjs.js" -> "sockjs-client/dist/sockjs.min.js";
        case "/vertx-eventbus.js" -> "@vertx/eventbus-bridge-client.js/vertx-eventbus.js";
        default -> null;
      };
      if (request.path().equals("/")) {
        request.response().putHeader("Content-Type", "text/html; charset=utf-8").end(
          "<!doctype html><html lang=\"en\"><head><title>bridge</title>"
            + "<script src=\"/sockjs.js\"></script><script src=\"/vertx-eventbus.js\"></script></head><body></body></html>");
        return;
      }
      try {
        request.response().putHeader("Content-Type", "text/javascript; charset=utf-8")
          .end(Buffer.buffer(Files.readAllBytes(CLIENT.resolve(path == null ? "missing" : path))));
      } catch (IOException e) {
        request.response().setStatusCode(404).end();
      }
    }).listen(0, "127.0.0.1"));
    driver = Browser.start();
  }

  @AfterAll
  static void stop() {
    Browser.quit(driver);
    gateway.close();
    Await.result(vertx.close());
  }

  @ParameterizedTest
  @ValueSource(strings = {"websocket", "xhr-polling"})
  void theOfficialClientSubscribesPublishesAndIsRefusedWhatTheRulesForbid(String transport) {
    driver.get("http://127.0.0.1:" + fixtures.actualPort() + "/");
    String bus = "http://127.0.0.1:" + gateway.port + "/eventbus";
    Browser.js(driver, """
      window.got = []; window.errors = []; window.acks = [];
      window.eb = new EventBus(arguments[0], { transports: [arguments[1]] });
      eb.onopen = () => {
        eb.registerHandler('news', (err, msg) => err ? errors.push('news:' + err.failureType) : got.push(msg.body));
        eb.registerHandler('secret.plans', (err, msg) => errors.push(err ? 'secret:' + err.failureType : 'secret delivered'));
        window.opened = true;
      };
      """, bus, transport);
    Browser.await(driver, Duration.ofSeconds(10), "the bridge opened", d -> Boolean.TRUE.equals(Browser.js(d, "return window.opened === true")));
    Browser.await(driver, Duration.ofSeconds(5), "the forbidden group refused",
      d -> String.valueOf(Browser.js(d, "return errors.join(',')")).contains("secret:forbidden"));

    try (TestSocket ws = TestSocket.connect(vertx, gateway.port, "/ws", Map.of())) {
      ws.send(new JsonObject().put("type", "subscribe").put("group", "news").put("id", "s"));
      ws.awaitJson(j -> "subscribed".equals(j.getString("type")));
      // The bridge observes the group once its first client registers; a publish to it from
      // /ws reaches the browser once that observation is in place, which a first round shows.
      GatewayHarness.await("a /ws message reaches the browser", () -> {
        ws.send(new JsonObject().put("type", "publish").put("group", "news").put("data", new JsonObject().put("from", "ws")));
        return ((Number) Browser.js(driver, "return got.length")).intValue() > 0;
      });
      assertThat(Browser.js(driver, "return JSON.stringify(got[0])")).isEqualTo("{\"from\":\"ws\"}");

      Browser.js(driver, "eb.publish('news', {from: 'browser'})");
      JsonObject back = ws.awaitJson(j -> "message".equals(j.getString("type"))
        && "browser".equals(j.getJsonObject("data").getString("from")));
      assertThat(back.getString("group")).isEqualTo("news");

      // send with a reply handler: a publish acknowledged there (a stream group's offset).
      Browser.js(driver, "eb.send('ledger', {entry: 1}, (err, reply) => acks.push(err ? 'err:' + err.failureType : reply.body))");
      Browser.await(driver, Duration.ofSeconds(5), "the ack", d -> ((Number) Browser.js(d, "return acks.length")).intValue() == 1);
      assertThat(Browser.js(driver, "return typeof acks[0].offset === 'number' && acks[0].offset >= 1")).isEqualTo(true);

      Browser.js(driver, "eb.publish('secret.plans', {x: 1})");
      Browser.await(driver, Duration.ofSeconds(5), "the forbidden publish refused",
        d -> ((Number) Browser.js(d, "return errors.filter(e => e === 'secret:forbidden').length")).intValue() >= 2);
    } finally {
      Browser.js(driver, "eb.close()");
    }
  }
}
