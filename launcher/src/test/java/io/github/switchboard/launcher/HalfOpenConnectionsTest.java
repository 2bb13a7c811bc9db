package io.github.switchboard.launcher;

import com.hazelcast.cluster.Address;
import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.internal.server.ServerConnection;
import com.hazelcast.internal.server.ServerConnectionManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A peer that accepts TCP but never answers Hazelcast's handshake, the way a frozen member's
 * kernel does: the connection to it is closed, the one to a live member is kept.
 */
class HalfOpenConnectionsTest {

  private final List<HazelcastInstance> members = new ArrayList<>();

  @AfterEach
  void stop() {
    members.forEach(HazelcastInstance::shutdown);
  }

  @Test
  void aConnectionNobodyAnswersIsClosedAfterTheLimitAndOneToALiveMemberIsKept() throws Exception {
    String cluster = "test-" + UUID.randomUUID();
    HazelcastInstance first = start(cluster);
    HazelcastInstance second = start(cluster);
    await(() -> first.getCluster().getMembers().size() == 2, 30_000, "the two members see each other");
    ServerConnectionManager manager = HalfOpenConnections.memberConnections(first);
    assertThat(manager).as("Hazelcast's connection manager, reached through its internals").isNotNull();

    // Bound and listening, never accepting: the kernel completes the TCP handshake, nobody reads.
    try (ServerSocket frozen = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      int port = frozen.getLocalPort();
      manager.getOrConnect(new Address("127.0.0.1", port));
      ServerConnection[] opened = new ServerConnection[1];
      await(() -> {
        opened[0] = to(manager, port).orElse(null);
        return opened[0] != null;
      }, 10_000, "a connection to the silent port");
      await(() -> !opened[0].isAlive(), 10_000, "the silent connection closed");
      assertThat(opened[0].getCloseReason()).contains("no handshake answered within 300 ms");
    }

    int secondPort = second.getCluster().getLocalMember().getAddress().getPort();
    ServerConnection live = to(manager, secondPort).orElseThrow();
    assertThat(live.isAlive()).as("the connection to a member that answers").isTrue();
    assertThat(first.getCluster().getMembers()).hasSize(2);
  }

  @Test
  void theLimitIsAHazelcastOrASystemPropertyAndZeroTurnsTheCheckOff() {
    Properties none = new Properties();
    assertThat(HalfOpenConnections.timeoutMs(new Config(), none)).isEqualTo(HalfOpenConnections.DEFAULT_TIMEOUT_MS);
    assertThat(HalfOpenConnections.timeoutMs(new Config().setProperty(HalfOpenConnections.TIMEOUT_PROPERTY, "250"), none))
      .isEqualTo(250);
    Properties system = new Properties();
    system.setProperty(HalfOpenConnections.TIMEOUT_PROPERTY, "0");
    assertThat(HalfOpenConnections.timeoutMs(new Config(), system)).isZero();
    assertThatThrownBy(() -> HalfOpenConnections.timeoutMs(new Config().setProperty(HalfOpenConnections.TIMEOUT_PROPERTY, "soon"), none))
      .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(HalfOpenConnections.TIMEOUT_PROPERTY);
  }

  private HazelcastInstance start(String cluster) {
    Config config = TestMembers.config(cluster, 16701);
    config.setProperty(HalfOpenConnections.TIMEOUT_PROPERTY, "300");
    HazelcastInstance member = Hazelcast.newHazelcastInstance(config);
    members.add(member);
    HalfOpenConnections.install(member);
    return member;
  }

  private static Optional<ServerConnection> to(ServerConnectionManager manager, int port) {
    return manager.getConnections().stream().filter(c -> {
      InetSocketAddress remote = c.getRemoteSocketAddress();
      return (remote != null && remote.getPort() == port) || (c.getRemoteAddress() != null && c.getRemoteAddress().getPort() == port);
    }).findFirst();
  }

  private static void await(BooleanSupplier condition, long timeoutMs, String what) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + timeoutMs + " ms: " + what);
      }
      Thread.sleep(20);
    }
  }
}
