package io.github.switchboard.gateway.hostile;

import io.vertx.core.Vertx;

import java.io.IOException;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One socket that sends pings (125-byte payload, masked) as fast as the connection takes them
 * and never reads: the attack of PingFloodTest (in process) and PingFloodProcessTest (a gateway
 * process at -Xmx512m).
 */
public final class PingFlood {

  private PingFlood() {
  }

  /**
   * Floods {@code /ws} on the port until the gateway closes or cuts the connection; fails if
   * that takes {@code limitMs}. Returns how long it took. A gateway that stops reading makes the
   * writes block, and a blocking write has no timeout: at the deadline a Vert.x timer closes
   * the client's socket, which ends it.
   */
  public static long run(Vertx vertx, int port, long limitMs) throws IOException {
    byte[] ping = RawWebSocket.frame(RawWebSocket.OPCODE_PING, filled(125));
    // 64 pings per write: fewer system calls, so the client outpaces the gateway.
    byte[] burst = new byte[ping.length * 64];
    for (int i = 0; i < 64; i++) {
      System.arraycopy(ping, 0, burst, i * ping.length, ping.length);
    }
    boolean cutOff = false;
    long elapsedMs;
    try (RawWebSocket ws = RawWebSocket.open(port, "/ws")) {
      long watchdog = vertx.setTimer(limitMs, id -> {
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
      elapsedMs = (System.nanoTime() - start) / 1_000_000;
      // Closed on this side only by the watchdog: the gateway did not end the flood in time.
      assertThat(ws.socket().isClosed()).as("the gateway ended the flood before %d ms (after %d ms)", limitMs, elapsedMs)
        .isFalse();
      assertThat(cutOff || endsSoon(ws)).as("the gateway ended the connection").isTrue();
    }
    return elapsedMs;
  }

  /** The gateway closed its side: reading reaches the end (or a reset) without waiting for the read timeout. */
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
}
