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
import java.util.Arrays;

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

  /**
   * Pings (125 bytes each) as fast as the connection takes them, never reading, until the
   * gateway closes or cuts the connection; fails if that takes {@link #FLOOD_MS}. A gateway
   * that stops reading makes the writes block; the socket's read timeout does not apply to
   * writes, so a watchdog closes the client at the deadline.
   */
  private void flood() throws IOException {
    byte[] ping = RawWebSocket.frame(RawWebSocket.OPCODE_PING, filled(125));
    byte[] burst = new byte[ping.length * 64];
    for (int i = 0; i < 64; i++) {
      System.arraycopy(ping, 0, burst, i * ping.length, ping.length);
    }
    boolean cutOff = false;
    boolean watchdogFired;
    try (RawWebSocket ws = RawWebSocket.open(gateway.port, "/ws")) {
      // Blocking writes have no timeout: at the deadline a timer closes the client's socket.
      long watchdog = vertx.setTimer(FLOOD_MS, id -> {
        try {
          ws.close();
        } catch (IOException ignored) {
          // closing is all that is wanted
        }
      });
      long start = System.nanoTime();
      try {
        while (!ws.socket().isClosed()) {
          ws.write(burst);
        }
      } catch (IOException e) {
        cutOff = true;
      } finally {
        vertx.cancelTimer(watchdog);
      }
      watchdogFired = ws.socket().isClosed();
      long elapsedMs = (System.nanoTime() - start) / 1_000_000;
      assertThat(watchdogFired).as("the gateway ended the flood before %d ms (after %d ms)", FLOOD_MS, elapsedMs).isFalse();
      assertThat(cutOff || endsSoon(ws)).as("the gateway ended the connection").isTrue();
    }
  }

  /** The gateway closed its side: reading reaches the end without waiting for the timeout. */
  private static boolean endsSoon(RawWebSocket ws) {
    try {
      ws.readToEnd();
      return true;
    } catch (IOException e) {
      return e.getMessage() != null && e.getMessage().contains("reset");
    }
  }

  private static byte[] filled(int n) {
    byte[] bytes = new byte[n];
    Arrays.fill(bytes, (byte) 'p');
    return bytes;
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
