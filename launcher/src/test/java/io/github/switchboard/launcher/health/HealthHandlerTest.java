package io.github.switchboard.launcher.health;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HealthHandlerTest {

  private Vertx vertx;
  private HttpClient client;
  private HealthServer server;
  private final Readiness readiness = new Readiness();
  private final AtomicBoolean active = new AtomicBoolean();

  /** A status code and a parsed body, so that tests compare both at once. */
  record Answer(int status, String contentType, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    // One connection per request, as probes do.
    client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
    HealthHandler handler = new HealthHandler("chat", readiness,
      () -> new JsonObject().put("role", active.get() ? "active" : "standby").put("status", "overridden?"));
    server = HealthServer.start(vertx, 0, handler).await();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  /**
   * Sends the request from an event loop: there the body handler is set in the same turn as the
   * response arrives. From the test thread, {@code compose} may run a turn later, after the
   * body has gone by, and the request never completes.
   */
  private Answer get(String path) {
    Promise<Answer> answer = Promise.promise();
    vertx.runOnContext(v -> client.request(HttpMethod.GET, server.actualPort(), "127.0.0.1", path)
      .compose(request -> request.send()
        .compose(response -> response.body().map(body ->
          new Answer(response.statusCode(), response.getHeader("content-type"), body.toString()))))
      .onComplete(answer));
    try {
      return answer.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("GET " + path + " failed", e);
    }
  }

  @Test
  void readyIs503WhileStartingThen200ThenStays503OnceDraining() {
    Answer starting = get("/health/ready");
    assertThat(starting.status()).isEqualTo(503);
    assertThat(starting.json()).isEqualTo(new JsonObject().put("role", "standby").put("status", "STARTING").put("service", "chat"));

    readiness.up();
    active.set(true);
    Answer up = get("/health/ready");
    assertThat(up.status()).isEqualTo(200);
    assertThat(up.contentType()).startsWith("application/json");
    assertThat(up.json()).isEqualTo(new JsonObject().put("role", "active").put("status", "UP").put("service", "chat"));

    readiness.draining();
    readiness.up();
    Answer draining = get("/health/ready");
    assertThat(draining.status()).as("a late up() cannot revive a draining process").isEqualTo(503);
    assertThat(draining.json().getString("status")).isEqualTo("DRAINING");
    assertThat(draining.json().getString("service")).isEqualTo("chat");
  }

  @Test
  void liveIs200InEveryState() {
    for (Runnable step : new Runnable[] {() -> { }, readiness::up, readiness::draining}) {
      step.run();
      Answer live = get("/health/live");
      assertThat(live.status()).as("in %s", readiness.status()).isEqualTo(200);
      assertThat(live.json().getString("status")).isEqualTo("UP");
      assertThat(live.json().getString("service")).isEqualTo("chat");
      assertThat(live.json().getString("role")).isEqualTo("standby");
    }
  }

  @Test
  void otherPathsGetAJson404AndMetricsSayWhyTheyAreMissing() {
    Answer missing = get("/nothing/here");
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.json().getString("error")).isEqualTo("not_found");
    assertThat(missing.json().getString("message")).contains("/nothing/here");
    // No Micrometer in this plain Vert.x, so no registry to scrape.
    Answer metrics = get("/metrics");
    assertThat(metrics.status()).isEqualTo(404);
    assertThat(metrics.json().getString("message")).contains("metrics");
  }

  @Test
  void aHandlerWithoutDetailsAnswersStatusAndServiceOnly() {
    Readiness gateway = new Readiness();
    gateway.up();
    assertThat(new HealthHandler("gateway", gateway).body(gateway.status()))
      .isEqualTo(new JsonObject().put("status", "UP").put("service", "gateway"));
    assertThat(gateway.isReady()).isTrue();
    gateway.draining();
    assertThat(gateway.isReady()).isFalse();
    assertThat(gateway.isDraining()).isTrue();
  }

  @Test
  void thePortIsReadThroughSettings() {
    assertThat(HealthServer.port(null, Map.of())).as("none set: no server").isZero();
    assertThat(HealthServer.port(new JsonObject().put("healthPort", 8081), Map.of())).isEqualTo(8081);
    assertThat(HealthServer.port(new JsonObject().put("healthPort", 8081), Map.of("SWITCHBOARD_HEALTH_PORT", "9091")))
      .isEqualTo(9091);
    assertThat(HealthServer.port(new JsonObject().put("healthPort", 8081), Map.of("SWITCHBOARD_HEALTH_PORT", " ")))
      .as("blank is not set").isEqualTo(8081);
    assertThatThrownBy(() -> HealthServer.port(null, Map.of("SWITCHBOARD_HEALTH_PORT", "http")))
      .hasMessageContaining("'healthPort'").hasMessageContaining("SWITCHBOARD_HEALTH_PORT").hasMessageContaining("http");
    assertThatThrownBy(() -> HealthServer.port(new JsonObject().put("healthPort", 70000), Map.of()))
      .hasMessageContaining("between 0 and 65535");
  }
}
