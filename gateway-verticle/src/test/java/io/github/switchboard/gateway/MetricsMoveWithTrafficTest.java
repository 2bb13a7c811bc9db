package io.github.switchboard.gateway;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** GET /metrics in Prometheus text format, read before and after real traffic. */
class MetricsMoveWithTrafficTest {

  private Vertx vertx;
  private GatewayHarness gateway;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    gateway = GatewayHarness.start(vertx, new JsonObject().put("embeddedServices", false));
  }

  @AfterEach
  void stop() {
    gateway.close();
    vertx.close().await();
  }

  private String scrape() {
    var response = gateway.get("/metrics");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("content-type")).startsWith("text/plain");
    return response.bodyAsString();
  }

  /** The value of the sample whose name and labels start the line exactly as given. */
  static double sample(String text, String series) {
    for (String line : text.split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim().split(" ")[0]);
      }
    }
    return 0;
  }

  /** The value of the first sample whose line starts with {@code prefix} (labels may follow). */
  static double sampleStartingWith(String text, String prefix) {
    for (String line : text.split("\n")) {
      if (line.startsWith(prefix)) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1).trim());
      }
    }
    return 0;
  }

  /**
   * A chat message is timed twice: by the gateway (its request to the chat service, answer
   * included) and by the chat service (its store); bench/run.sh breaks a message's way down with
   * them. With Vert.x's Micrometer metrics on, as the launcher runs it, the embedded chat
   * service shares the gateway's registry.
   */
  @Test
  void aChatMessageIsTimedByTheGatewayAndByTheChatService() {
    gateway.close();
    vertx.close().await();
    vertx = Vertx.vertx(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
      .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))));
    gateway = GatewayHarness.start(vertx, new JsonObject());
    try (TestSocket chat = gateway.connect("/ws/chat/metered")) {
      for (int i = 0; i < 3; i++) {
        chat.send("{\"message\":\"m" + i + "\"}");
        assertThat(chat.nextJson().getString("message")).isEqualTo("m" + i);
      }
      // The delivery goes out before the answer to the gateway's request: wait for the third.
      GatewayHarness.await("three chat requests timed", () -> sampleStartingWith(scrape(),
        "switchboard_service_request_seconds_count{service=\"chat\"") == 3.0);
      String after = scrape();
      assertThat(sampleStartingWith(after, "switchboard_service_request_seconds_sum{service=\"chat\"")).isGreaterThan(0.0);
      assertThat(sampleStartingWith(after, "switchboard_chat_store_seconds_count")).isEqualTo(3.0);
      assertThat(sampleStartingWith(after, "switchboard_chat_store_seconds_sum")).isGreaterThan(0.0);
    }
  }

  @Test
  void countersGaugesAndLatencyMove() {
    String before = scrape();
    assertThat(before).contains("jvm_memory_used_bytes").contains("switchboard_event_loop_delay_seconds");
    double inBefore = sample(before, "switchboard_messages_in_total{endpoint=\"/ws/hub\"}");
    double outBefore = sample(before, "switchboard_messages_out_total");
    double latencyBefore = sample(before, "switchboard_delivery_latency_seconds_count");
    double badBefore = sample(before, "switchboard_errors_total{code=\"invalid_json\"}");

    try (TestSocket a = gateway.connect("/ws/hub"); TestSocket b = gateway.connect("/ws/hub");
         TestSocket mux = gateway.connect("/ws")) {
      GatewayHarness.await("2 hub members", () -> gateway.get("/api/stats?group=hub").bodyAsJsonObject()
        .getJsonObject("group").getInteger("localMembers") == 2);
      for (int i = 0; i < 5; i++) {
        a.send("m" + i);
        b.next();
      }
      mux.send("not json");
      assertThat(mux.nextJson().getString("code")).isEqualTo("invalid_json");

      String after = scrape();
      assertThat(sample(after, "switchboard_connections_open{endpoint=\"/ws/hub\"}")).isEqualTo(2.0);
      assertThat(sample(after, "switchboard_connections_open{endpoint=\"/ws\"}")).isEqualTo(1.0);
      assertThat(sample(after, "switchboard_group_consumers")).isEqualTo(1.0);
      assertThat(sample(after, "switchboard_messages_in_total{endpoint=\"/ws/hub\"}") - inBefore).isEqualTo(5.0);
      assertThat(sample(after, "switchboard_messages_out_total") - outBefore).isGreaterThanOrEqualTo(5.0);
      assertThat(sample(after, "switchboard_delivery_latency_seconds_count") - latencyBefore).isEqualTo(5.0);
      assertThat(sample(after, "switchboard_errors_total{code=\"invalid_json\"}") - badBefore).isEqualTo(1.0);
      assertThat(after).contains("switchboard_delivery_latency_seconds_bucket{le=");
      assertThat(sample(after, "switchboard_connections_opened_total{endpoint=\"/ws/hub\"}")).isGreaterThanOrEqualTo(2.0);
    }
  }
}
