package io.github.switchboard.clustertest;

import io.github.switchboard.gateway.hostile.PingFlood;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ping flood of gateway-verticle's PingFloodTest, against a real gateway process with a
 * bounded heap: a client that sends pings as fast as it can and never reads the pongs must be
 * cut off, and leave the process alive, ready and no bigger than before. In-process, the test
 * JVM's own heap blurs the figure; here the gateway's heap is its own, and an out-of-memory
 * error kills the process instead of failing a thread somewhere.
 */
class PingFloodProcessTest {

  private static final Logger log = LoggerFactory.getLogger(PingFloodProcessTest.class);

  /** How long the client floods at most; the bound. */
  private static final long FLOOD_MS = 20_000;
  /** Growth of the live heap allowed: the flood may cost about one socket's queue cap (256 KB). */
  private static final long MAX_HEAP_GROWTH = 50L * 1024 * 1024;
  /**
   * A heap big enough for a gateway, small enough that a leak of one socket's pongs (gigabytes
   * a minute before the fix) fills it within the flood; an OOM then ends the process, which
   * the test sees, instead of leaving a crippled one behind.
   */
  private static final List<String> JVM_OPTIONS = List.of("-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
    "-XX:+ExitOnOutOfMemoryError");

  private TestCluster cluster;

  @BeforeEach
  void start() {
    cluster = new TestCluster("ping-flood-" + System.nanoTime());
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  @Test
  void aPingFloodIsClosedByTheRateLimit() throws Exception {
    TestCluster.Gateway gateway = cluster.gateway("gateway", JVM_OPTIONS, false, Map.of());
    floodAndCheck(gateway);
    assertThat(stats(gateway).getJsonObject("errors").getLong("rate_limited")).as("1008 rate-limit closes").isEqualTo(1);
  }

  @Test
  void withoutARateLimitBackpressureStopsReadingAndTheSlowConsumerIsClosed() throws Exception {
    // A limit nobody reaches: only the write queue cap, backpressure and the slow-consumer
    // close stand between the flood and the heap.
    TestCluster.Gateway gateway = cluster.gateway("gateway", JVM_OPTIONS, false, Map.of(
      "SWITCHBOARD_RATE_LIMIT_PER_SECOND", "100000000",
      "SWITCHBOARD_RATE_LIMIT_BURST", "100000000",
      "SWITCHBOARD_SLOW_CONSUMER_CLOSE_MS", "2000"));
    floodAndCheck(gateway);
    JsonObject stats = stats(gateway);
    assertThat(stats.getJsonObject("errors").getLong("rate_limited")).as("rate-limit refusals").isNull();
    assertThat(stats.getLong("messagesDropped")).as("pongs dropped over the queue cap").isPositive();
  }

  /**
   * The flood, then what must hold after it: the process alive, ready within a second, its
   * socket gone and its live heap (after a full GC) within {@link #MAX_HEAP_GROWTH} of before.
   */
  private void floodAndCheck(TestCluster.Gateway gateway) throws IOException {
    ClusterProcess process = gateway.process();
    long before = process.liveHeapBytes();
    // Not a figure that can be near zero: a reading of the wrong process, or of nothing, fails here.
    assertThat(before).as("live heap of the idle gateway").isGreaterThan(1024 * 1024);

    long floodMs = PingFlood.run(cluster.vertx, gateway.port(), FLOOD_MS);

    assertThat(process.isAlive()).as("gateway process alive after the flood:\n%s", process.tail()).isTrue();
    long askedAt = System.nanoTime();
    int status = cluster.get(gateway, "/health/ready").statusCode();
    long readyMs = (System.nanoTime() - askedAt) / 1_000_000;
    assertThat(status).isEqualTo(200);
    assertThat(readyMs).as("/health/ready answer time (ms)").isLessThan(1_000);
    // The socket's state is released before the heap is read, so that it is not counted.
    awaitNoConnections(gateway);
    long after = process.liveHeapBytes();
    log.info("{} flood ended after {} ms; /health/ready in {} ms; live heap {} -> {} bytes ({} KB growth)",
      process.name(), floodMs, readyMs, before, after, (after - before) / 1024);
    assertThat(after - before).as("live heap growth (bytes), %d -> %d", before, after).isLessThan(MAX_HEAP_GROWTH);
    assertThat(process.isAlive()).isTrue();
  }

  private JsonObject stats(TestCluster.Gateway gateway) {
    return cluster.get(gateway, "/api/stats").bodyAsJsonObject();
  }

  private void awaitNoConnections(TestCluster.Gateway gateway) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (stats(gateway).getInteger("connections") != 0) {
      assertThat(System.nanoTime() - deadline).as("the flooding socket gone from /api/stats within 10 s").isNegative();
      ClusterProcess.pause();
    }
  }
}
