package io.github.switchboard.gateway;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code GET /api/stats} counts the cluster's members, for the index page (1 when embedded). */
class StatsReportClusterMembersTest {

  @Test
  void embeddedGatewayReportsOneMember() {
    Vertx vertx = Vertx.vertx();
    try (GatewayHarness gateway = GatewayHarness.start(vertx, new JsonObject().put("embeddedServices", false))) {
      JsonObject stats = gateway.stats();
      assertThat(stats.getBoolean("clustered")).isFalse();
      assertThat(stats.getInteger("members")).isEqualTo(1);
    } finally {
      Await.result(vertx.close());
    }
  }

  @Test
  void clusteredGatewayCountsEveryMember() {
    String cluster = "stats-test-" + UUID.randomUUID();
    Vertx first = clustered(cluster);
    Vertx second = null;
    try {
      second = clustered(cluster);
      try (GatewayHarness gateway = GatewayHarness.start(first)) {
        GatewayHarness.await("two members", () -> gateway.stats().getInteger("members") == 2);
        assertThat(gateway.stats().getBoolean("clustered")).isTrue();
      }
    } finally {
      if (second != null) {
        Await.result(second.close());
      }
      Await.result(first.close());
    }
  }

  /** A clustered Vert.x on a Hazelcast member that only joins members of this test's cluster. */
  private static Vertx clustered(String clusterName) {
    System.setProperty("hazelcast.logging.type", "slf4j");
    Config config = new Config();
    config.setClusterName(clusterName);
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    NetworkConfig network = config.getNetworkConfig();
    network.setPort(16701).setPortAutoIncrement(true).setPortCount(100);
    network.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    JoinConfig join = network.getJoin();
    join.getAutoDetectionConfig().setEnabled(false);
    join.getMulticastConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).addMember("127.0.0.1");
    return Await.result(Vertx.builder()
      .with(new VertxOptions().setEventBusOptions(new EventBusOptions().setHost("127.0.0.1")))
      .withClusterManager(new HazelcastClusterManager(config))
      .buildClustered());
  }
}
