package io.github.switchboard.gateway.proxy;

import io.github.switchboard.gateway.Await;
import io.github.switchboard.gateway.GatewayHarness;
import io.github.switchboard.gateway.TestSocket;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The RPC hook against a real HTTP backend started here: answered, refused, failing, silent,
 * too large, unreachable, and the cap on calls under way; other frames of the socket are
 * answered while its calls wait.
 */
class RpcHookTest {

  private static final long TIMEOUT_MS = 700;
  private static final int MAX_IN_FLIGHT = 3;

  private Vertx vertx;
  private HttpServer backend;
  private GatewayHarness gateway;
  private final List<JsonObject> received = new CopyOnWriteArrayList<>();
  private final List<HttpServerRequest> held = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    backend = Await.result(vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      JsonObject call = body.toJsonObject();
      received.add(call);
      switch (call.getString("method")) {
        case "echo" -> request.response().putHeader("content-type", "application/json")
          .end(new JsonObject().put("data", new JsonObject().put("got", call.getValue("data"))
            .put("client", call.getString("client"))).encode());
        case "refuse" -> request.response().end("{\"error\":{\"message\":\"not for you\",\"reason\":\"no_access\"}}");
        case "fail" -> request.response().setStatusCode(500).end("boom");
        case "garbage" -> request.response().end("<html>");
        case "big" -> request.response().end("{\"data\":\"" + "x".repeat(5_000) + "\"}");
        case "trickle" -> {
          // Never silent for long, never done: a byte every 100 ms.
          request.response().setChunked(true).write("{");
          long timer = vertx.setPeriodic(100, id -> request.response().write(" "));
          request.connection().closeHandler(v -> vertx.cancelTimer(timer));
        }
        default -> held.add(request); // "silent": never answered
      }
    })).listen(0, "127.0.0.1"));
    gateway = start("http://127.0.0.1:" + backend.actualPort() + "/rpc");
  }

  private GatewayHarness start(String rpcUrl) {
    return GatewayHarness.start(vertx, new JsonObject().put("embeddedServices", false).put("proxy", new JsonObject()
      .put("rpcUrl", rpcUrl).put("timeoutMs", TIMEOUT_MS).put("maxInFlight", MAX_IN_FLIGHT).put("maxResponseBytes", 4096)));
  }

  @AfterEach
  void stop() {
    gateway.close();
    vertx.close().await();
  }

  @Test
  void theBackendsAnswerComesBackWithTheCallsId() {
    try (TestSocket socket = gateway.connect("/ws")) {
      socket.send("{\"type\":\"rpc\",\"method\":\"echo\",\"data\":{\"q\":[1,2]},\"id\":7}");
      JsonObject result = socket.nextJson();
      assertThat(result.getString("type")).isEqualTo("rpc_result");
      assertThat(result.getInteger("id")).isEqualTo(7);
      assertThat(result.getJsonObject("data").getJsonObject("got")).isEqualTo(new JsonObject().put("q", List.of(1, 2)));
      // The backend learns who asked: the connection id (and the user, null without a token).
      JsonObject call = received.get(0);
      assertThat(call.getString("client")).isNotBlank();
      assertThat(call.containsKey("user")).isTrue();
      assertThat(call.getValue("user")).isNull();
      assertThat(result.getJsonObject("data").getString("client")).isEqualTo(call.getString("client"));

      socket.send("{\"type\":\"rpc\",\"method\":\"echo\",\"id\":\"no-data\"}");
      assertThat(socket.nextJson().getJsonObject("data").getValue("got")).isNull();
    }
  }

  @Test
  void refusalsAndFailuresOfTheBackendBecomeErrorFrames() {
    try (TestSocket socket = gateway.connect("/ws")) {
      socket.send("{\"type\":\"rpc\",\"method\":\"refuse\",\"id\":1}");
      assertThat(socket.nextJson()).isEqualTo(new JsonObject().put("type", "error").put("code", "backend_error")
        .put("message", "not for you").put("reason", "no_access").put("id", 1));
      socket.send("{\"type\":\"rpc\",\"method\":\"fail\",\"id\":2}");
      assertThat(socket.nextJson()).isEqualTo(new JsonObject().put("type", "error").put("code", "backend_error")
        .put("message", "the backend failed (HTTP 500)").put("id", 2));
      socket.send("{\"type\":\"rpc\",\"method\":\"garbage\",\"id\":3}");
      assertThat(socket.nextJson().getString("message")).isEqualTo("the backend's answer is not a JSON object");
      socket.send("{\"type\":\"rpc\",\"method\":\"big\",\"id\":4}");
      assertThat(socket.nextJson().getString("message")).isEqualTo("the backend's answer is too large");
      // The socket is still served.
      socket.send("{\"type\":\"rpc\",\"method\":\"echo\",\"data\":1,\"id\":5}");
      assertThat(socket.nextJson().getString("type")).isEqualTo("rpc_result");
    }
  }

  @Test
  void aSilentBackendTimesOutAndTheCapRefusesMoreWhileOtherFramesAreAnswered() {
    try (TestSocket socket = gateway.connect("/ws"); TestSocket other = gateway.connect("/ws")) {
      for (int i = 1; i <= MAX_IN_FLIGHT; i++) {
        socket.send("{\"type\":\"rpc\",\"method\":\"silent\",\"id\":" + i + "}");
      }
      GatewayHarness.await("the backend holds every call", () -> held.size() == MAX_IN_FLIGHT);
      other.send("{\"type\":\"rpc\",\"method\":\"echo\",\"id\":\"over\"}");
      JsonObject refused = other.nextJson();
      assertThat(refused.getString("code")).isEqualTo("limit_reached");
      assertThat(refused.getString("id")).isEqualTo("over");
      other.send("{\"type\":\"ping\",\"id\":\"still-served\"}");
      assertThat(other.nextJson().getString("type")).isEqualTo("pong");

      for (int i = 1; i <= MAX_IN_FLIGHT; i++) {
        JsonObject timedOut = socket.nextJson();
        assertThat(timedOut.getString("code")).isEqualTo("timeout");
      }
      // The calls that timed out no longer count: the next one goes through.
      other.send("{\"type\":\"rpc\",\"method\":\"echo\",\"id\":\"after\"}");
      assertThat(other.nextJson().getString("type")).isEqualTo("rpc_result");
      String metrics = gateway.get("/metrics").bodyAsString();
      assertThat(metrics).contains("switchboard_proxy_calls_total{hook=\"rpc\",outcome=\"timeout\"} 3.0")
        .contains("switchboard_proxy_calls_total{hook=\"rpc\",outcome=\"over_limit\"} 1.0")
        .contains("switchboard_proxy_latency_seconds_count{hook=\"rpc\"}");
    }
  }

  @Test
  void aBackendThatTricklesItsAnswerTimesOutAllTheSame() {
    try (TestSocket socket = gateway.connect("/ws")) {
      long started = System.nanoTime();
      socket.send("{\"type\":\"rpc\",\"method\":\"trickle\",\"id\":1}");
      JsonObject answer = socket.nextJson();
      assertThat(answer.getString("code")).isEqualTo("timeout");
      assertThat(java.time.Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(java.time.Duration.ofMillis(TIMEOUT_MS));
      socket.send("{\"type\":\"rpc\",\"method\":\"echo\",\"id\":2}");
      assertThat(socket.nextJson().getString("type")).isEqualTo("rpc_result");
    }
  }

  @Test
  void withoutABackendOrWithABadFrameTheClientIsToldWhy() {
    try (TestSocket socket = gateway.connect("/ws")) {
      socket.send("{\"type\":\"rpc\",\"method\":\"echo\"}");
      assertThat(socket.nextJson().getString("code")).isEqualTo("invalid_field");
      socket.send("{\"type\":\"rpc\",\"method\":\"a b\",\"id\":1}");
      assertThat(socket.nextJson().getString("message")).contains("'method'");
    }
    gateway.close();
    // A port nothing listens on: the backend is unreachable.
    int closedPort = backend.actualPort();
    Await.result(backend.close());
    gateway = start("http://127.0.0.1:" + closedPort + "/rpc");
    try (TestSocket socket = gateway.connect("/ws")) {
      socket.send("{\"type\":\"rpc\",\"method\":\"echo\",\"id\":1}");
      assertThat(socket.nextJson().getString("code")).isEqualTo("service_unavailable");
    }
    gateway.close();
    gateway = GatewayHarness.start(vertx, new JsonObject().put("embeddedServices", false));
    try (TestSocket socket = gateway.connect("/ws")) {
      socket.send("{\"type\":\"rpc\",\"method\":\"echo\",\"id\":1}");
      JsonObject error = socket.nextJson();
      assertThat(error.getString("code")).isEqualTo("service_unavailable");
      assertThat(error.getString("message")).isEqualTo("no RPC backend is configured");
    }
  }
}
