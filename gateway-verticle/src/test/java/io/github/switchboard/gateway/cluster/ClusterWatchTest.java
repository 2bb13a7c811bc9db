package io.github.switchboard.gateway.cluster;

import io.github.switchboard.coordination.ClusterQuorum;
import io.github.switchboard.gateway.metrics.GatewayStats;
import io.github.switchboard.gateway.session.Sessions;
import io.github.switchboard.gateway.transport.SocketCloser;
import io.github.switchboard.launcher.health.HealthStatus;
import io.github.switchboard.launcher.health.Readiness;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Readiness follows the gateway's view of the cluster, both ways (the sockets: PartitionTest). */
class ClusterWatchTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void belowTheQuorumTheGatewayIsUnreachableAndBackAtItItIsReadyAgain() {
    AtomicInteger dataMembers = new AtomicInteger(2);
    Readiness readiness = new Readiness();
    readiness.up();
    ClusterWatch watch = new ClusterWatch(vertx, ClusterQuorum.counting(dataMembers::get, 2), readiness, new Sessions(),
      new SocketCloser(vertx, new GatewayStats(new SimpleMeterRegistry()), SocketCloser.DEFAULT_GRACE_MS));

    watch.check();
    assertThat(readiness.status()).isEqualTo(HealthStatus.UP);
    assertThat(watch.cutOff()).isFalse();

    dataMembers.set(1);
    watch.check();
    assertThat(readiness.status()).isEqualTo(HealthStatus.UNREACHABLE);
    assertThat(readiness.isReady()).isFalse();
    assertThat(watch.cutOff()).isTrue();

    dataMembers.set(3);
    watch.check();
    assertThat(readiness.status()).isEqualTo(HealthStatus.UP);
    assertThat(watch.cutOff()).isFalse();

    // A stopping gateway stays DRAINING whatever it sees.
    dataMembers.set(0);
    watch.check();
    readiness.draining();
    assertThat(readiness.status()).isEqualTo(HealthStatus.DRAINING);
  }

  @Test
  void anEmbeddedGatewayIsNeverCutOff() {
    Readiness readiness = new Readiness();
    readiness.up();
    ClusterWatch watch = new ClusterWatch(vertx, ClusterQuorum.embedded(), readiness, new Sessions(),
      new SocketCloser(vertx, new GatewayStats(new SimpleMeterRegistry()), SocketCloser.DEFAULT_GRACE_MS));
    watch.check();
    assertThat(readiness.status()).isEqualTo(HealthStatus.UP);
  }
}
