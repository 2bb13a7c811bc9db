package io.github.switchboard.clustertest;

import io.github.switchboard.gateway.TestSocket;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** SIGTERM on a clustered gateway: 503, 1001 to every socket, exit within the drain time. */
class GracefulShutdownTest {

  @Test
  void sigtermDrainsAndExitsWithinTheDrainTime() {
    long drainMs = 4_000;
    try (TestCluster cluster = new TestCluster("graceful-shutdown")) {
      // A cluster of this one gateway: it must hold the cluster's data itself.
      TestCluster.Gateway gateway = cluster.gateway("gateway",
        Map.of("SWITCHBOARD_DRAIN_TIMEOUT_MS", String.valueOf(drainMs), "SWITCHBOARD_CLUSTER_LITE_MEMBER", "false"));
      TestSocket polite = TestSocket.connect(cluster.vertx, gateway.port(), "/ws/hub");
      // A client that never answers the close frame keeps the drain going until its deadline.
      NetClient net = cluster.vertx.createNetClient();
      NetSocket stubborn = io.github.switchboard.gateway.Await.result(net.connect(gateway.port(), "127.0.0.1"));
      stubborn.write("GET /ws/hub HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (cluster.get(gateway, "/api/stats").bodyAsJsonObject().getInteger("connections") < 2) {
        assertThat(System.nanoTime()).as("both sockets open").isLessThan(deadline);
        ClusterProcess.pause();
      }

      long terminatedAt = System.nanoTime();
      gateway.process().terminate();
      assertThat(polite.awaitClose()).isEqualTo((short) 1001);
      boolean saw503 = false;
      while (!saw503 && gateway.process().isAlive()) {
        try {
          saw503 = cluster.get(gateway, "/health/ready").statusCode() == 503;
        } catch (Exception | AssertionError e) {
          break; // no longer listening
        }
      }
      assertThat(saw503).as("ready answered 503 while draining").isTrue();
      assertThat(gateway.process().waitForExit(Duration.ofMillis(drainMs + 8_000))).as("exited").isTrue();
      long exitMs = (System.nanoTime() - terminatedAt) / 1_000_000;
      assertThat(exitMs).isLessThan(drainMs + 8_000);
      assertThat(gateway.process().output()).contains("Gateway draining: closing 2 sockets with 1001");
      polite.close();
      net.close();
    }
  }
}
