package io.github.switchboard.launcher;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.partition.MigrationListener;
import com.hazelcast.partition.MigrationState;
import com.hazelcast.partition.ReplicaMigrationEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The cluster as this process sees it, in its metrics, so that Prometheus can compare the
 * processes' views: members by kind ({@code switchboard_cluster_members{kind="data"|"lite"}}: a
 * split shows as processes that disagree), the quorum it needs, membership changes, Hazelcast's
 * partition migrations, and whether the partitions' backups are in sync (this member's, and the
 * whole cluster's). docs/operations.md lists the alerts built on them.
 *
 * <p>Membership and migrations are read from Hazelcast's local state and its listeners (no
 * network). The two safety checks ask other members, so they run every {@value #SAFETY_CHECK_MS}
 * ms on a worker thread, one at a time, never on an event loop.
 */
public final class ClusterMetrics {

  static final long SAFETY_CHECK_MS = 5_000;
  private static final Logger log = LoggerFactory.getLogger(ClusterMetrics.class);

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final AtomicInteger migrating = new AtomicInteger();
  /** -1 until the first check has answered, then 0 or 1. */
  private final AtomicInteger clusterSafe = new AtomicInteger(-1);
  private final AtomicInteger memberSafe = new AtomicInteger(-1);
  private final AtomicBoolean checking = new AtomicBoolean();
  private final Counter migrationsDone;
  private final Counter migrationsFailed;
  private final Counter membersAdded;
  private final Counter membersRemoved;
  private UUID migrationListener;
  private UUID membershipListener;
  private long timer = -1;

  private ClusterMetrics(Vertx vertx, HazelcastInstance hazelcast, MeterRegistry registry) {
    this.vertx = vertx;
    this.hazelcast = hazelcast;
    for (String kind : new String[] {"data", "lite"}) {
      boolean lite = kind.equals("lite");
      Gauge.builder("switchboard.cluster.members", hazelcast, hz -> count(hz, lite))
        .description("Members of the Hazelcast cluster this process sees, by kind (data members hold the maps; "
          + "gateways are lite)")
        .tag("kind", kind).register(registry);
    }
    Gauge.builder("switchboard.cluster.quorum", hazelcast, hz -> ClusterConfigLoader.quorumOf(hz.getConfig()))
      .description("Data members this process must see to act (SWITCHBOARD_CLUSTER_QUORUM)").register(registry);
    Gauge.builder("switchboard.cluster.safe", clusterSafe, v -> v.get() < 0 ? Double.NaN : v.get())
      .description("1 when every partition of the cluster has its backups in sync and no migration runs, as seen "
        + "from this process").register(registry);
    Gauge.builder("switchboard.member.safe", memberSafe, v -> v.get() < 0 ? Double.NaN : v.get())
      .description("1 when every partition this member owns has its backups in sync (lite members own none: 1)")
      .register(registry);
    Gauge.builder("switchboard.partition.migrating", migrating, AtomicInteger::get)
      .description("1 while Hazelcast moves partitions between members (after a member joined or left)")
      .register(registry);
    migrationsDone = Counter.builder("switchboard.partition.migrations").tag("result", "completed")
      .description("Partition replica migrations this process was told of, by result").register(registry);
    migrationsFailed = Counter.builder("switchboard.partition.migrations").tag("result", "failed")
      .description("Partition replica migrations this process was told of, by result").register(registry);
    membersAdded = Counter.builder("switchboard.cluster.membership.changes").tag("change", "added")
      .description("Members that joined or left the cluster, as this process saw it").register(registry);
    membersRemoved = Counter.builder("switchboard.cluster.membership.changes").tag("change", "removed")
      .description("Members that joined or left the cluster, as this process saw it").register(registry);
  }

  /** Registers the meters and starts watching. */
  public static ClusterMetrics start(Vertx vertx, HazelcastInstance hazelcast, MeterRegistry registry) {
    ClusterMetrics metrics = new ClusterMetrics(vertx, hazelcast, registry);
    metrics.listen();
    return metrics;
  }

  private void listen() {
    migrationListener = hazelcast.getPartitionService().addMigrationListener(new MigrationListener() {
      @Override
      public void migrationStarted(MigrationState state) {
        migrating.set(1);
      }

      @Override
      public void migrationFinished(MigrationState state) {
        migrating.set(0);
      }

      @Override
      public void replicaMigrationCompleted(ReplicaMigrationEvent event) {
        migrationsDone.increment();
      }

      @Override
      public void replicaMigrationFailed(ReplicaMigrationEvent event) {
        migrationsFailed.increment();
        log.warn("Partition {} replica {} failed to move from {} to {}", event.getPartitionId(), event.getReplicaIndex(),
          event.getSource(), event.getDestination());
      }
    });
    membershipListener = hazelcast.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        membersAdded.increment();
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        membersRemoved.increment();
      }
    });
    check();
    timer = vertx.setPeriodic(SAFETY_CHECK_MS, id -> check());
  }

  private void check() {
    if (!checking.compareAndSet(false, true)) {
      return;
    }
    vertx.executeBlocking(() -> {
      var partitions = hazelcast.getPartitionService();
      memberSafe.set(partitions.isLocalMemberSafe() ? 1 : 0);
      clusterSafe.set(partitions.isClusterSafe() ? 1 : 0);
      return null;
    }, false).onComplete(ar -> {
      checking.set(false);
      if (ar.failed()) {
        log.debug("Cluster safety check failed: {}", ar.cause().getMessage());
      }
    });
  }

  /** Stops the timer and the listeners (the process stops). */
  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    try {
      hazelcast.getPartitionService().removeMigrationListener(migrationListener);
      hazelcast.getCluster().removeMembershipListener(membershipListener);
    } catch (RuntimeException e) {
      // Hazelcast is already shutting down: its listeners go with it.
      log.debug("Cluster metrics listeners not removed: {}", e.getMessage());
    }
  }

  private static double count(HazelcastInstance hazelcast, boolean lite) {
    if (!hazelcast.getLifecycleService().isRunning()) {
      return Double.NaN;
    }
    return hazelcast.getCluster().getMembers().stream().filter(m -> m.isLiteMember() == lite).count();
  }
}
