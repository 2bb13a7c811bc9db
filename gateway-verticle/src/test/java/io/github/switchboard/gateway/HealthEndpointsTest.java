package io.github.switchboard.gateway;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HealthEndpointsTest {

  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  @Test
  void liveAndReadyAnswerWithJson() {
    try (GatewayHarness gateway = GatewayHarness.start(vertx, new JsonObject().put("embeddedServices", false))) {
      var live = gateway.get("/health/live");
      assertThat(live.statusCode()).isEqualTo(200);
      assertThat(live.getHeader("content-type")).startsWith("application/json");
      assertThat(live.bodyAsJsonObject()).isEqualTo(new JsonObject().put("status", "UP").put("service", "gateway"));
      var ready = gateway.get("/health/ready");
      assertThat(ready.statusCode()).isEqualTo(200);
      assertThat(ready.bodyAsJsonObject()).isEqualTo(new JsonObject().put("status", "UP").put("service", "gateway"));
    }
  }

  @Test
  void unknownPathsGetAJson404AndTheIndexPageIsServed() {
    try (GatewayHarness gateway = GatewayHarness.start(vertx, new JsonObject().put("embeddedServices", false))) {
      var missing = gateway.get("/no/such/thing");
      assertThat(missing.statusCode()).isEqualTo(404);
      assertThat(missing.bodyAsJsonObject().getString("error")).isEqualTo("not_found");
      var index = gateway.get("/");
      assertThat(index.statusCode()).isEqualTo(200);
      assertThat(index.getHeader("content-type")).startsWith("text/html");
    }
  }

  @Test
  void stoppingGatewayClosesSocketsWith1001() {
    GatewayHarness gateway = GatewayHarness.start(vertx, new JsonObject().put("embeddedServices", false));
    TestSocket socket = gateway.connect("/ws/hub");
    GatewayHarness.await("socket registered", () -> gateway.stats().getInteger("connections") == 1);
    gateway.close();
    assertThat(socket.awaitClose()).isEqualTo((short) 1001);
    socket.close();
  }

  @Test
  void invalidConfigValueFailsDeploymentWithAMessage() {
    var result = vertx.deployVerticle(new GatewayVerticle(),
      new DeploymentOptions().setConfig(new JsonObject().put("port", 0).put("maxFrameBytes", "lots")));
    try {
      Await.result(result);
    } catch (Exception e) {
      // expected
    }
    assertThat(result.failed()).isTrue();
    assertThat(result.cause().getMessage()).contains("maxFrameBytes").contains("lots");
  }
}
