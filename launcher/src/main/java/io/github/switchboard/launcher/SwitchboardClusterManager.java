package io.github.switchboard.launcher;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Completable;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Vert.x's Hazelcast cluster manager, made to wait for a data member when this process is a
 * lite member (a gateway): a lite member holds no partitions, so the cluster's maps (event bus
 * subscriptions among them) cannot be used until a member that holds data (a chat or simulator
 * process) is in the cluster. Gateways may start first (Kubernetes starts pods in any order);
 * they then wait here, before Vert.x starts, so their port opens and their readiness turns UP
 * only once the cluster can serve them.
 *
 * <p>A data member installs its {@link MergeBarrier} here, once joined.
 */
final class SwitchboardClusterManager extends HazelcastClusterManager {

  private static final Logger log = LoggerFactory.getLogger(SwitchboardClusterManager.class);

  SwitchboardClusterManager(Config config) {
    super(config);
  }

  @Override
  public void join(Completable<Void> promise) {
    super.join((ignored, failure) -> {
      if (failure != null) {
        promise.fail(failure);
        return;
      }
      HazelcastInstance hazelcast = getHazelcastInstance();
      if (!hazelcast.getCluster().getLocalMember().isLiteMember()) {
        MergeBarrier.install(hazelcast);
        promise.succeed();
        return;
      }
      awaitDataMember(hazelcast, promise);
    });
  }

  private static void awaitDataMember(HazelcastInstance hazelcast, Completable<Void> promise) {
    AtomicBoolean done = new AtomicBoolean();
    UUID[] registration = new UUID[1];
    Runnable check = () -> {
      boolean data = hazelcast.getCluster().getMembers().stream().anyMatch(m -> !m.isLiteMember());
      if (data && done.compareAndSet(false, true)) {
        if (registration[0] != null) {
          hazelcast.getCluster().removeMembershipListener(registration[0]);
        }
        log.info("Lite member: the cluster has a data member; starting");
        promise.succeed();
      }
    };
    registration[0] = hazelcast.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        check.run();
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
      }
    });
    check.run();
    if (!done.get()) {
      log.info("Lite member (no cluster data held here): waiting for a data member (a chat or simulator process) "
        + "to join; members now: {}", hazelcast.getCluster().getMembers().stream().map(Member::getAddress).toList());
    }
  }
}
