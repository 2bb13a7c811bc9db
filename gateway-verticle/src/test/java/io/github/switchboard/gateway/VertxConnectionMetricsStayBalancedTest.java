package io.github.switchboard.gateway;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
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
 * The gateway serves upgraded connections with its own WebSocket layer and takes Vert.x's HTTP
 * connection handler out of the pipeline once a socket is open. Vert.x's metrics (on, as the
 * launcher runs) must still tell the truth: an accepted upgrade is a request answered with 101
 * (not left active), an open socket is an open connection, and the connection gauge comes back
 * to where it was when the sockets close, whichever side closes them.
 */
class VertxConnectionMetricsStayBalancedTest {

  private Vertx vertx;
  private GatewayHarness gateway;
  private WebClient scraper;

  @BeforeEach
  void start() {
    vertx = Vertx.builder()
      .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))))
      .withMetrics(new MicrometerMetricsFactory())
      .build();
    gateway = GatewayHarness.start(vertx, new JsonObject().put("embeddedServices", false).put("maxFrameBytes", 1024));
    scraper = WebClient.create(vertx, new WebClientOptions().setKeepAlive(false));
  }

  @AfterEach
  void stop() {
    gateway.close();
    vertx.close().await();
  }

  /** Sum of every series of a metric whose labels contain {@code labels}. */
  private static double sum(String text, String metric, String labels) {
    double total = 0;
    for (String line : text.split("\n")) {
      if (line.startsWith(metric + "{") && line.substring(0, line.indexOf('}') + 1).contains(labels)) {
        total += Double.parseDouble(line.substring(line.indexOf('}') + 1).trim().split(" ")[0]);
      }
    }
    return total;
  }

  /**
   * Open connections and requests (not counting the scrape's own), 101s, resets, bytes out.
   * Each scrape opens its own connection and closes it (no keep-alive): a pooled client may
   * hold a second idle connection now and then, which would count as one more here.
   */
  private double[] read() {
    String text = Await.result(scraper.get(gateway.port, "127.0.0.1", "/metrics").send()).bodyAsString();
    return new double[] {
      sample(text, "vertx_http_server_active_connections") - 1,
      sample(text, "vertx_http_server_active_requests{method=\"GET\"}") - 1,
      sum(text, "vertx_http_server_requests_total", "code=\"101\""),
      sum(text, "vertx_http_server_request_resets_total", ""),
      sample(text, "switchboard_bytes_out_total")};
  }

  @Test
  void upgradesAreAnsweredRequestsAndConnectionsCloseInVertxMetrics() {
    // A scrape's connection is counted until the server has seen it close: wait for quiet.
    GatewayHarness.await("no connection but the scrape's", () -> {
      double[] r = read();
      return r[0] == 0 && r[1] == 0;
    });
    double[] before = read();
    List<TestSocket> sockets = new ArrayList<>();
    sockets.add(gateway.connect("/ws"));
    sockets.add(gateway.connect("/ws/hub"));
    sockets.add(gateway.connect("/ws"));
    sockets.get(0).send("{\"type\":\"ping\",\"id\":1}");
    assertThat(sockets.get(0).nextJson().getString("type")).isEqualTo("pong");

    // The take-over runs right after each handshake. Open: the 3 sockets, no active request.
    GatewayHarness.await("three upgrades counted as 101, three connections open, no request active", () -> {
      double[] r = read();
      return r[2] - before[2] == 3 && r[0] == 3 && r[1] == 0;
    });
    assertThat(read()[4]).as("bytes of data frames written").isGreaterThan(before[4]);

    // Closed by the client, by the server (a message over the size limit: 1009), and cut.
    sockets.get(0).close();
    sockets.get(1).send("x".repeat(2000));
    assertThat(sockets.get(1).awaitClose()).isEqualTo((short) 1009);
    sockets.get(2).socket().close((short) 1000);
    GatewayHarness.await("Vert.x connection gauge back to the scrape's", () -> read()[0] == 0);
    double[] after = read();
    assertThat(after[1]).as("active requests").isZero();
    assertThat(after[2] - before[2]).as("101s").isEqualTo(3);
    assertThat(after[3]).as("a closed socket is not a reset request").isEqualTo(before[3]);
    sockets.forEach(TestSocket::close);
  }
}
