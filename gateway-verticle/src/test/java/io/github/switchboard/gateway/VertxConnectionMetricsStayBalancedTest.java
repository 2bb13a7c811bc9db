package io.github.switchboard.gateway;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.github.switchboard.gateway.MetricsMoveWithTrafficTest.sample;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway serves upgraded connections with its own WebSocket layer, in front of Vert.x's
 * HTTP connection handler. Vert.x must still see every connection close: its connection and
 * request gauges (with Vert.x metrics on, as the launcher runs it) count the open sockets and
 * come back to where they were when the sockets close, whichever side closes them.
 */
class VertxConnectionMetricsStayBalancedTest {

  private Vertx vertx;
  private GatewayHarness gateway;

  @BeforeEach
  void start() {
    vertx = Vertx.builder()
      .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))))
      .withMetrics(new MicrometerMetricsFactory())
      .build();
    gateway = GatewayHarness.start(vertx, new JsonObject().put("embeddedServices", false).put("maxFrameBytes", 1024));
  }

  @AfterEach
  void stop() {
    gateway.close();
    vertx.close().await();
  }

  /** Open HTTP connections and requests, not counting the scrape's own. */
  private double[] open() {
    String text = gateway.get("/metrics").bodyAsString();
    return new double[] {
      sample(text, "vertx_http_server_active_connections") - 1,
      sample(text, "vertx_http_server_active_requests{method=\"GET\"}") - 1,
      sample(text, "switchboard_bytes_out_total")};
  }

  @Test
  void gaugesCountOpenSocketsAndReturnWhenTheyClose() {
    double[] before = open();
    List<TestSocket> sockets = new ArrayList<>();
    sockets.add(gateway.connect("/ws"));
    sockets.add(gateway.connect("/ws/hub"));
    sockets.add(gateway.connect("/ws"));
    sockets.get(0).send("{\"type\":\"ping\",\"id\":1}");
    assertThat(sockets.get(0).nextJson().getString("type")).isEqualTo("pong");

    double[] during = open();
    assertThat(during[0] - before[0]).as("open connections").isEqualTo(3);
    assertThat(during[1] - before[1]).as("open upgrade requests").isEqualTo(3);
    assertThat(during[2]).as("bytes of data frames written").isGreaterThan(before[2]);

    // Closed by the client, by the server (a message over the size limit: 1009), and cut.
    sockets.get(0).close();
    sockets.get(1).send("x".repeat(2000));
    assertThat(sockets.get(1).awaitClose()).isEqualTo((short) 1009);
    sockets.get(2).socket().close((short) 1000);
    GatewayHarness.await("Vert.x connection and request gauges back", () -> {
      double[] after = open();
      return after[0] == before[0] && after[1] == before[1];
    });
    sockets.forEach(TestSocket::close);
  }
}
