package io.github.switchboard.gateway.web;

import io.github.switchboard.gateway.Await;
import io.github.switchboard.gateway.GatewayHarness;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.chrome.ChromeDriver;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * /js/realtime.js itself, in the browser: requests and their Promises against a real gateway;
 * close codes, backoff and resubscription against small scripted WebSocket servers.
 */
class RealtimeClientLibraryTest {

  static Vertx vertx;
  static GatewayHarness gateway;
  static ChromeDriver driver;
  final List<HttpServer> servers = new CopyOnWriteArrayList<>();

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

  @BeforeEach
  void freshPage() {
    driver.get(gateway.url() + "/");
    Browser.jsAsync(driver, """
      const done = arguments[arguments.length - 1];
      import('/js/realtime.js').then(m => { window.rt = m; window.t = {}; done(true); });
      """);
  }

  @AfterEach
  void closeServers() {
    driver.get("about:blank");
    for (HttpServer server : servers) {
      Await.result(server.close());
    }
  }

  /** A WebSocket server on a free port that runs the script for every connection. */
  int server(Consumer<ServerWebSocket> script) {
    HttpServer server = Await.result(vertx.createHttpServer().webSocketHandler(script::accept).listen(0, "127.0.0.1"));
    servers.add(server);
    return server.actualPort();
  }

  /** What a scripted /ws server does with a subscribe: the connection's number (from 1), its socket, the frame, and a reply to fill in. */
  interface SubscribeScript {
    void onSubscribe(int connection, ServerWebSocket ws, JsonObject frame, JsonObject reply);
  }

  /** A scripted /ws server for group chat.x: records every subscribe frame and hands it to the script. */
  int subscribeServer(List<JsonObject> subscribes, SubscribeScript script) {
    AtomicInteger connections = new AtomicInteger();
    return server(ws -> {
      int n = connections.incrementAndGet();
      ws.textMessageHandler(text -> {
        JsonObject frame = new JsonObject(text);
        if ("subscribe".equals(frame.getString("type"))) {
          subscribes.add(frame);
          script.onSubscribe(n, ws, frame,
            new JsonObject().put("type", "subscribed").put("group", "chat.x").put("id", frame.getValue("id")));
        }
      });
    });
  }

  Object js(String script) {
    return Browser.js(driver, script);
  }

  Object await(String what, String condition) {
    return Browser.await(driver, Duration.ofSeconds(8), what, d -> {
      Object value = Browser.js(d, "return " + condition + ";");
      return value instanceof Boolean b ? (b ? Boolean.TRUE : null) : value;
    });
  }

  @Test
  void requestsResolveOnRepliesAndRejectOnErrors() {
    js("""
      const c = window.t.c = new rt.MultiplexConnection('/ws', {heartbeatMs: 0});
      window.t.got = [];
      c.connect();
      c.onStatus(async s => {
        if (s !== 'connected') return;
        const out = window.t.out = {};
        try {
          const sub = await c.subscribe('news', data => window.t.got.push(data));
          out.subscribed = sub.group;
          out.ack = await c.publish('news', {text: 'hi'});
          out.pong = await c.ping();
          try { await c.publish('scores', 1); } catch (e) { out.forbidden = e.code; }
          try { await c.subscribe('bad name!', () => {}); } catch (e) { out.invalid = e.code; }
          out.unsubscribed = (await c.unsubscribe('news')).type;
          out.groups = c.groups.length;
        } catch (e) { out.failed = String(e); }
        out.done = true;
      });
      """);
    await("requests done", "window.t.out && window.t.out.done");
    @SuppressWarnings("unchecked")
    Map<String, Object> out = (Map<String, Object>) js("return window.t.out;");
    assertThat(out).doesNotContainKey("failed");
    assertThat(out.get("subscribed")).isEqualTo("news");
    assertThat(((Map<?, ?>) out.get("ack")).get("type")).isEqualTo("ack");
    assertThat(((Number) ((Map<?, ?>) out.get("pong")).get("rttMs")).doubleValue()).isGreaterThanOrEqualTo(0);
    assertThat(out.get("forbidden")).isEqualTo("forbidden");
    assertThat(out.get("invalid")).isEqualTo("invalid_group");
    assertThat(out.get("unsubscribed")).isEqualTo("unsubscribed");
    assertThat(((Number) out.get("groups")).intValue()).isZero();
    assertThat(js("return JSON.stringify(window.t.got);")).isEqualTo("[{\"text\":\"hi\"}]");
    // Not connected: a request rejects at once.
    assertThat(Browser.jsAsync(driver, """
      const done = arguments[arguments.length - 1];
      window.t.c.close();
      window.t.c.publish('news', 1).then(() => done('resolved'), e => done(e.code));
      """)).isEqualTo("not_connected");
  }

  @Test
  void policyViolationStopsReconnectingWhileGoingAwayReconnectsWithBackoffUpToTheLimit() {
    AtomicInteger policyConnections = new AtomicInteger();
    int policy = server(ws -> {
      policyConnections.incrementAndGet();
      ws.close((short) 1008, "policy violation");
    });
    AtomicInteger awayConnections = new AtomicInteger();
    int away = server(ws -> {
      awayConnections.incrementAndGet();
      ws.close((short) 1001, "going away");
    });
    js("""
      const opts = {initialDelayMs: 40, factor: 2, maxDelayMs: 1000, jitter: 0.5, maxAttempts: 3};
      for (const [name, port] of [['policy', arguments[0]], ['away', arguments[1]]]) {
        const c = new rt.Connection('ws://127.0.0.1:' + port + '/x', opts);
        const log = window.t[name] = [];
        c.onStatus((s, d) => log.push({s, code: d.code, willReconnect: d.willReconnect, delayMs: d.delayMs, gaveUp: d.gaveUp}));
        c.connect();
      }
      """.replace("arguments[0]", String.valueOf(policy)).replace("arguments[1]", String.valueOf(away)));
    await("the going-away connection gives up", "window.t.away.some(e => e.gaveUp)");
    // 1 connection + 3 reconnect attempts, delays 40, 80, 160 ms minus up to 50 % jitter.
    assertThat(awayConnections.get()).isEqualTo(4);
    JsonArray awayLog = new JsonArray((String) js("return JSON.stringify(window.t.away);"));
    List<JsonObject> closes = awayLog.stream().map(JsonObject.class::cast).filter(e -> "disconnected".equals(e.getString("s"))).toList();
    assertThat(closes).hasSize(4);
    int base = 40;
    for (int i = 0; i < 3; i++) {
      JsonObject close = closes.get(i);
      assertThat(close.getInteger("code")).isEqualTo(1001);
      assertThat(close.getBoolean("willReconnect")).isTrue();
      assertThat(close.getInteger("delayMs")).isBetween(base / 2, base);
      base *= 2;
    }
    assertThat(closes.get(3).getBoolean("willReconnect")).isFalse();
    assertThat(closes.get(3).getBoolean("gaveUp")).isTrue();
    // Meanwhile the 1008 connection tried once and stayed down.
    assertThat(policyConnections.get()).isEqualTo(1);
    JsonArray policyLog = new JsonArray((String) js("return JSON.stringify(window.t.policy);"));
    JsonObject last = policyLog.getJsonObject(policyLog.size() - 1);
    assertThat(last.getString("s")).isEqualTo("disconnected");
    assertThat(last.getInteger("code")).isEqualTo(1008);
    assertThat(last.getBoolean("willReconnect")).isFalse();
  }

  @Test
  void serverSideSubscriptionsAreTrackedAndTheirMessagesEmitted() {
    int port = server(ws -> {
      ws.writeTextMessage(new JsonObject().put("type", "subscribed").put("group", "news").put("server", true).encode());
      ws.writeTextMessage(new JsonObject().put("type", "message").put("group", "news").put("data", "first").encode());
      ws.textMessageHandler(text -> {
        if (text.contains("\"leave\"")) {
          ws.writeTextMessage(new JsonObject().put("type", "unsubscribed").put("group", "news").put("server", true).encode());
        }
      });
    });
    js("""
      const c = window.t.c = new rt.MultiplexConnection('ws://127.0.0.1:PORT/ws', {heartbeatMs: 0});
      window.t.events = [];
      c.on('subscribed', m => window.t.events.push('subscribed ' + m.group + ' ' + m.server));
      c.on('unsubscribed', m => window.t.events.push('unsubscribed ' + m.group));
      c.on('message', m => window.t.events.push('message ' + m.group + ' ' + m.data));
      c.connect();
      """.replace("PORT", String.valueOf(port)));
    await("the server's frames", "window.t.events.length === 2");
    assertThat(js("return window.t.c.serverGroups.join(',');")).isEqualTo("news");
    assertThat(js("return window.t.events.join('|');")).isEqualTo("subscribed news true|message news first");
    js("window.t.c.send({type: 'leave'});");
    await("the unsubscribed frame", "window.t.events.length === 3");
    assertThat(js("return window.t.c.serverGroups.length;")).isEqualTo(0L);
    js("window.t.c.close();");
  }

  @Test
  void resubscribesWithTheLastSeqAndDropsDuplicates() {
    List<JsonObject> subscribes = new CopyOnWriteArrayList<>();
    int port = subscribeServer(subscribes, (n, ws, frame, reply) -> {
      if (frame.containsKey("since")) {
        reply.put("recovered", true);
      }
      ws.writeTextMessage(reply.encode());
      int[] seqs = n == 1 ? new int[] {1, 2, 2, 1, 3} : new int[] {3, 4, 4, 5};
      for (int seq : seqs) {
        ws.writeTextMessage(new JsonObject().put("type", "message").put("group", "chat.x").put("seq", seq)
          .put("data", new JsonObject().put("n", seq)).encode());
      }
      if (n == 1) {
        ws.close((short) 1001, "restart");
      }
    });
    js("""
      const c = window.t.c = new rt.MultiplexConnection('ws://127.0.0.1:PORT/ws', {initialDelayMs: 20, heartbeatMs: 0});
      window.t.seqs = [];
      c.subscribe('chat.x', (data, message) => window.t.seqs.push(message.seq));
      c.connect();
      """.replace("PORT", String.valueOf(port)));
    await("five distinct deliveries", "window.t.seqs.length >= 5 && window.t.c.stats.duplicatesDropped >= 4");
    assertThat(js("return window.t.seqs.join(',');")).isEqualTo("1,2,3,4,5");
    assertThat(((Number) js("return window.t.c.stats.duplicatesDropped;")).intValue()).isEqualTo(4);
    assertThat(subscribes).hasSize(2);
    assertThat(subscribes.get(0).containsKey("since")).isFalse();
    assertThat(subscribes.get(1).getInteger("since")).isEqualTo(3);
    js("window.t.c.close();");
  }

  @Test
  void resubscribesWithTheEpochAndStartsOverWhenTheGroupIsNumberedAgain() {
    List<JsonObject> subscribes = new CopyOnWriteArrayList<>();
    int port = subscribeServer(subscribes, (n, ws, frame, reply) -> {
      if (n == 1) {
        // First connection: the room in epoch A, seq 1..3, then a restart.
        ws.writeTextMessage(reply.encode());
        for (int seq = 1; seq <= 3; seq++) {
          ws.writeTextMessage(message(seq, "A").encode());
        }
        ws.close((short) 1001, "restart");
        return;
      }
      // Meanwhile the room was freed and opened again: epoch B, seq 1..2 so far.
      ws.writeTextMessage(reply.put("recovered", false).put("epoch", "B").put("seq", 2).encode());
      for (int seq = 1; seq <= 2; seq++) {
        ws.writeTextMessage(message(seq, "B").encode());
      }
      // And once more while this socket stays open: epoch C starts at 1.
      ws.writeTextMessage(message(1, "C").encode());
    });
    js("""
      const c = window.t.c = new rt.MultiplexConnection('ws://127.0.0.1:PORT/ws', {initialDelayMs: 20, heartbeatMs: 0});
      window.t.got = [];
      window.t.gaps = [];
      c.subscribe('chat.x', (data, message) => window.t.got.push(message.epoch + message.seq),
        {onGap: gap => window.t.gaps.push(gap)}).then(s => { window.t.sub = s; });
      c.connect();
      """.replace("PORT", String.valueOf(port)));
    await("the new epochs' messages", "window.t.got.length >= 6");
    assertThat(js("return window.t.got.join(',');")).as("nothing of a new epoch taken for a duplicate")
      .isEqualTo("A1,A2,A3,B1,B2,C1");
    assertThat(subscribes).hasSize(2);
    assertThat(subscribes.get(1).getJsonObject("since")).isEqualTo(new JsonObject().put("offset", 3).put("epoch", "A"));
    JsonArray gaps = new JsonArray((String) js("return JSON.stringify(window.t.gaps);"));
    assertThat(gaps).containsExactly(new JsonObject().put("group", "chat.x").put("since", 3).put("epoch", "B"),
      new JsonObject().put("group", "chat.x").put("since", null).put("epoch", "C"));
    assertThat(js("return window.t.sub.epoch + window.t.sub.lastSeq;")).isEqualTo("C1");
    js("window.t.c.close();");
  }

  private static JsonObject message(int seq, String epoch) {
    return new JsonObject().put("type", "message").put("group", "chat.x").put("seq", seq).put("epoch", epoch)
      .put("data", new JsonObject().put("n", seq));
  }

  @Test
  void aFreshTokenIsFetchedForEveryAttemptAndAnExpiredOneIsReplaced() {
    List<String> tokens = new CopyOnWriteArrayList<>();
    int port = server(ws -> {
      tokens.add(ws.query());
      if (tokens.size() == 1) {
        // What a gateway does when the token expires: an unauthorized error, then 1008.
        ws.writeTextMessage(new JsonObject().put("type", "error").put("code", "unauthorized").put("message", "token expired").encode());
        ws.close((short) 1008, "token expired");
      }
    });
    js("""
      let n = 0;
      const c = window.t.c = new rt.Connection('ws://127.0.0.1:PORT/ws', {
        initialDelayMs: 20, token: () => new Promise(resolve => setTimeout(() => resolve('t' + (++n)), 5))});
      window.t.statuses = [];
      c.onStatus(s => window.t.statuses.push(s));
      c.connect();
      """.replace("PORT", String.valueOf(port)));
    await("connected with the second token", "window.t.statuses.filter(s => s === 'connected').length === 2");
    assertThat(tokens).containsExactly("token=t1", "token=t2");
    js("window.t.c.close();");
  }
}
