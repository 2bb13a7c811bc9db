package io.github.switchboard.gateway.hostile;

import io.github.switchboard.gateway.GatewayHarness;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.netty.buffer.PooledByteBufAllocator;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client that sends pings as fast as it can and never reads the pongs. Every pong used to be
 * written past the socket's queue cap and the socket read on regardless: pongs piled up in the
 * gateway's heap until it died (3.6 GB in 15 s). Now pings are rate-limited like messages, and
 * a socket over its queue cap is not read until it drains, so the client fills its own buffers
 * and is closed; the gateway's heap does not grow with it.
 */
class PingFloodTest {

  /** How long the client floods at most; the bound. */
  private static final long FLOOD_MS = 20_000;
  /**
   * Growth of heap plus Netty's pooled direct memory allowed after a GC: the flood may cost
   * about one socket's queue cap, nowhere near this.
   */
  private static final long MAX_MEMORY_GROWTH = 50L * 1024 * 1024;

  private Vertx vertx;
  private GatewayHarness gateway;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.close();
    }
    vertx.close().await();
  }

  @Test
  void aPingFloodIsClosedByTheRateLimit() throws Exception {
    gateway = GatewayHarness.start(vertx, new JsonObject().put("embeddedServices", false));
    long before = memoryAfterGc();
    flood();
    assertThat(memoryAfterGc() - before).isLessThan(MAX_MEMORY_GROWTH);
    assertThat(gateway.get("/health/ready").statusCode()).isEqualTo(200);
    assertThat(gateway.stats().getJsonObject("errors").getLong("rate_limited")).isEqualTo(1);
  }

  @Test
  void withoutARateLimitBackpressureStopsReadingAndTheSlowConsumerIsClosed() throws Exception {
    // A limit nobody reaches: only the queue cap stands between the flood and the heap.
    gateway = GatewayHarness.start(vertx, new JsonObject().put("embeddedServices", false)
      .put("rateLimitPerSecond", 100_000_000).put("rateLimitBurst", 100_000_000)
      .put("slowConsumerCloseMs", 2_000));
    long before = memoryAfterGc();
    flood();
    assertThat(memoryAfterGc() - before).isLessThan(MAX_MEMORY_GROWTH);
    assertThat(gateway.get("/health/ready").statusCode()).isEqualTo(200);
    GatewayHarness.await("the flooding socket gone", () -> gateway.stats().getInteger("connections") == 0);
  }

  private void flood() throws IOException {
    PingFlood.run(vertx, gateway.port, FLOOD_MS);
  }

  /** Heap after a GC, plus the direct memory Netty's pooled allocator holds (where socket buffers live). */
  private static long memoryAfterGc() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long used = Long.MAX_VALUE;
    // A few rounds: one System.gc() may leave garbage that the next collects.
    for (int i = 0; i < 3; i++) {
      System.gc();
      used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
    }
    return used + PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
  }
}
