package io.github.switchboard.launcher;

import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.instance.EndpointQualifier;
import com.hazelcast.instance.impl.HazelcastInstanceProxy;
import com.hazelcast.internal.server.ServerConnection;
import com.hazelcast.internal.server.ServerConnectionManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Closes Hazelcast member connections whose handshake the other side has not answered in time.
 *
 * <p>Why: a member that froze (SIGSTOP, a stalled VM, a long pause) keeps its listening socket,
 * so the kernel accepts a new connection to it while the process never answers Hazelcast's
 * protocol handshake. Hazelcast 5.3 opens such a connection when it sends to the silent member
 * after suspecting it (heartbeats, calls, a master's search for other clusters) and has no
 * handshake timeout. Frames queued on it make its output thread spin (the pipeline reschedules
 * itself for ever while waiting for the other side's protocol), and the other connections that
 * thread owns starve: a gateway's answers to the new master waited until the frozen process
 * died, the master could not settle the new member list and partition table, and the standby
 * simulator did not take its role over within 10 s (FailoverTest's freeze case; seen in CI,
 * reproduced under CPU load with thread dumps). Closed here, the frames fail over to the usual
 * paths (a call to a member that left is retried elsewhere) and the thread serves the others.
 *
 * <p>Limit: {@value #TIMEOUT_PROPERTY} (a Hazelcast property in cluster.xml, or a system
 * property), {@value #DEFAULT_TIMEOUT_MS} ms by default: a live member on a working network
 * answers in milliseconds; one closed too early is connected again by Hazelcast's next send.
 *
 * <p>Uses Hazelcast's internal connection manager (there is no public API for it): a Hazelcast
 * upgrade must keep {@code HalfOpenConnectionsTest} green.
 */
final class HalfOpenConnections {

  static final String TIMEOUT_PROPERTY = "switchboard.cluster.handshake.timeout.millis";
  static final long DEFAULT_TIMEOUT_MS = 1_000;
  private static final Logger log = LoggerFactory.getLogger(HalfOpenConnections.class);

  private final Supplier<Collection<ServerConnection>> connections;
  private final long timeoutMs;
  private final LongSupplier clockMs;
  /** When each connection without a handshake was first seen (only those). */
  private final Map<ServerConnection, Long> seen = new ConcurrentHashMap<>();

  HalfOpenConnections(Supplier<Collection<ServerConnection>> connections, long timeoutMs, LongSupplier clockMs) {
    this.connections = connections;
    this.timeoutMs = timeoutMs;
    this.clockMs = clockMs;
  }

  /** Starts the check on {@code hazelcast}'s member connections, every quarter of the limit. */
  static void install(HazelcastInstance hazelcast) {
    ServerConnectionManager manager = memberConnections(hazelcast);
    if (manager == null) {
      log.warn("Half-open cluster connections are left to Hazelcast: its connection manager is not reachable here");
      return;
    }
    long timeoutMs = timeoutMs(hazelcast.getConfig(), System.getProperties());
    if (timeoutMs <= 0) {
      log.info("Half-open cluster connections are left to Hazelcast ({}={})", TIMEOUT_PROPERTY, timeoutMs);
      return;
    }
    HalfOpenConnections check = new HalfOpenConnections(manager::getConnections, timeoutMs, System::currentTimeMillis);
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "switchboard-half-open-connections");
      thread.setDaemon(true);
      return thread;
    });
    long period = Math.max(50, timeoutMs / 4);
    timer.scheduleWithFixedDelay(() -> {
      if (!hazelcast.getLifecycleService().isRunning()) {
        timer.shutdown();
        return;
      }
      try {
        check.closeUnanswered();
      } catch (RuntimeException e) {
        log.warn("Half-open cluster connection check failed: {}", e.toString());
      }
    }, period, period, TimeUnit.MILLISECONDS);
  }

  static long timeoutMs(Config config, Properties system) {
    String value = ClusterConfigLoader.launcherSetting(config, system, TIMEOUT_PROPERTY);
    if (value == null) {
      return DEFAULT_TIMEOUT_MS;
    }
    try {
      return Long.parseLong(value.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(TIMEOUT_PROPERTY + " must be a number of milliseconds (0 turns the check off), not '"
        + value + "'", e);
    }
  }

  /** Closes the connections that have waited for the other side's handshake too long; returns how many. */
  int closeUnanswered() {
    long now = clockMs.getAsLong();
    int closed = 0;
    Collection<ServerConnection> current = connections.get();
    seen.keySet().retainAll(current);
    for (ServerConnection connection : current) {
      if (!connection.isAlive() || connection.getRemoteUuid() != null) {
        seen.remove(connection);
        continue;
      }
      long since = seen.computeIfAbsent(connection, c -> now);
      if (now - since >= timeoutMs) {
        seen.remove(connection);
        log.warn("Closing cluster connection to {}: no handshake answered within {} ms (a frozen or unreachable member)",
          connection.getRemoteSocketAddress(), timeoutMs);
        connection.close("no handshake answered within " + timeoutMs + " ms", null);
        closed++;
      }
    }
    return closed;
  }

  static ServerConnectionManager memberConnections(HazelcastInstance hazelcast) {
    if (!(hazelcast instanceof HazelcastInstanceProxy proxy)) {
      return null;
    }
    try {
      return proxy.getOriginal().node.getServer().getConnectionManager(EndpointQualifier.MEMBER);
    } catch (RuntimeException e) {
      return null;
    }
  }
}
