package io.github.switchboard.loadgen;

import io.github.switchboard.gateway.GatewayVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each scenario of the load generator, small, against a real gateway on port 0: the figures
 * the benchmark reports must count what really happened (every delivery once, loss when the
 * server refuses messages), or the benchmark's tables mean nothing.
 */
class ScenariosAgainstGatewayTest {

  private static Vertx vertx;
  /** Limits raised the way bench/run.sh raises them. */
  private static int openPort;
  /** A low per-connection rate limit (10/s, burst 10). */
  private static int limitedPort;
  /** Only the connect scenario's sockets, so the server's count is exactly theirs. */
  private static int connectPort;

  @TempDir
  Path dir;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    openPort = deploy(new JsonObject().put("rateLimitPerSecond", 1_000_000).put("rateLimitBurst", 1_000_000));
    limitedPort = deploy(new JsonObject().put("rateLimitPerSecond", 10).put("rateLimitBurst", 10)
      .put("rateLimitCloseAfter", 1_000_000));
    connectPort = deploy(new JsonObject());
  }

  private static int deploy(JsonObject config) throws Exception {
    GatewayVerticle gateway = new GatewayVerticle();
    JsonObject conf = new JsonObject().put("host", "127.0.0.1").put("port", 0).put("embeddedServices", false)
      .put("persistHistory", false).mergeIn(config);
    vertx.deployVerticle(gateway, new DeploymentOptions().setConfig(conf)).await(30, TimeUnit.SECONDS);
    return gateway.actualPort();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  private JsonObject run(String scenario, int port, String... args) throws Exception {
    Path json = dir.resolve(scenario + ".json");
    List<String> all = new ArrayList<>(List.of(scenario, "--url", "ws://127.0.0.1:" + port, "--json", json.toString(),
      "--event-loops", "1"));
    all.addAll(List.of(args));
    assertThat(Main.run(Options.parse(all.toArray(String[]::new), Main.SCENARIOS))).isZero();
    JsonObject out = new JsonObject(Files.readString(json));
    assertThat(out.getString("scenario")).isEqualTo(scenario);
    return out.getJsonObject("result");
  }

  @Test
  void fanoutCountsEveryDeliveryOnce() throws Exception {
    JsonObject r = run("fanout", openPort, "--subscribers", "20", "--rate", "20", "--duration", "2", "--warmup", "0.5",
      "--idle", "0", "--drain", "10");
    assertThat(r.getJsonObject("receivers").getInteger("ready")).isEqualTo(20);
    assertThat(r.getLong("published")).isEqualTo(40);
    assertThat(r.getLong("expectedDeliveries")).isEqualTo(800);
    assertThat(r.getLong("deliveries")).isEqualTo(800);
    assertThat(r.getLong("lost")).isZero();
    assertThat(r.getLong("duplicates")).isZero();
    assertThat(r.getJsonObject("latency").getLong("count")).isEqualTo(800);
    assertThat(r.containsKey("errors")).as("errors: %s", r.getValue("errors")).isFalse();
  }

  @Test
  void hubDeliversToEveryReceiver() throws Exception {
    JsonObject r = run("hub", openPort, "--subscribers", "10", "--rate", "20", "--duration", "1", "--warmup", "0.5",
      "--idle", "0", "--drain", "10");
    assertThat(r.getString("endpoint")).isEqualTo("/ws/hub");
    assertThat(r.getLong("deliveries")).isEqualTo(200);
    assertThat(r.getLong("lost")).isZero();
    assertThat(r.getLong("duplicates")).isZero();
  }

  @Test
  void fanoutReportsLossWhenTheServerRefusesMessages() throws Exception {
    // 40 msg/s against a limit of 10/s (burst 10): most publishes get rate_limited.
    JsonObject r = run("fanout", limitedPort, "--subscribers", "5", "--rate", "40", "--duration", "2", "--warmup", "0",
      "--idle", "0", "--drain", "2");
    assertThat(r.getLong("expectedDeliveries")).isEqualTo(400);
    assertThat(r.getLong("lost")).isPositive();
    assertThat(r.getLong("deliveries") + r.getLong("lost")).isEqualTo(400);
    assertThat(r.getDouble("lossRatio")).isPositive();
    assertThat(r.getJsonObject("errors").getInteger("publisher:rate_limited")).isPositive();
  }

  @Test
  void pingTimesEveryRoundTrip() throws Exception {
    JsonObject r = run("ping", openPort, "--round-trips", "300", "--warmup", "30", "--sockets", "3");
    assertThat(r.getLong("roundTrips")).isEqualTo(300);
    assertThat(r.getLong("errors")).isZero();
    assertThat(r.getJsonObject("latency").getLong("count")).isEqualTo(300);
  }

  @Test
  void connectHoldsTheSocketsAndReadsTheServer() throws Exception {
    long pid = ProcessHandle.current().pid();
    JsonObject r = run("connect", connectPort, "--connections", "40", "--warmup", "0", "--settle", "0.2",
      "--connect-rate", "400", "--server-pid", String.valueOf(pid),
      "--stats-url", "http://127.0.0.1:" + connectPort + "/api/stats");
    JsonObject c = r.getJsonObject("connections");
    assertThat(c.getInteger("opened")).isEqualTo(40);
    assertThat(c.getInteger("failures")).isZero();
    assertThat(c.getInteger("stillOpenAtMeasure")).isEqualTo(40);
    assertThat(c.getLong("serverReportsOpen")).isEqualTo(40);
    assertThat(c.getJsonObject("connectTime").getLong("count")).isEqualTo(40);
    assertThat(r.getJsonObject("memoryAfter").getLong("rssKib")).isPositive();
    assertThat(r.getJsonObject("memoryPerSocket").containsKey("rssBytes")).isTrue();
  }
}
