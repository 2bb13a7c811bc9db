package io.github.switchboard.launcher;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Completable;
import io.vertx.core.Vertx;
import io.vertx.core.spi.cluster.RegistrationInfo;
import io.vertx.core.spi.cluster.RegistrationListener;
import io.vertx.core.spi.cluster.RegistrationUpdateEvent;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Vert.x's Hazelcast cluster manager, made to wait for a data member when this process is a
 * lite member (a gateway): a lite member holds no partitions, so the cluster's maps (event bus
 * subscriptions among them) cannot be used until a member that holds data (a chat or simulator
 * process) is in the cluster. Gateways may start first (Kubernetes starts pods in any order);
 * they then wait here, before Vert.x starts, so their port opens and their readiness turns UP
 * only once the cluster can serve them.
 *
 * <p>A data member installs its {@link MergeBarrier} here, once joined.
 *
 * <p>The event bus's routes follow the cluster's subscription map through Hazelcast's entry
 * events, which a connection closed after missed heartbeats can lose: {@link #refreshRoutes}
 * brings them back in line.
 */
final class SwitchboardClusterManager extends HazelcastClusterManager {

  private static final Logger log = LoggerFactory.getLogger(SwitchboardClusterManager.class);

  private volatile RegistrationListener eventBus;
  private volatile Vertx vertx;
  /** Period of {@link #refreshRoutes()}. */
  static final long ROUTE_REFRESH_MS = 5_000;
  /** Addresses the event bus looked up: those it routes from a cache. */
  private final Set<String> lookedUp = ConcurrentHashMap.newKeySet();
  /** Lookups of the current refresh still under way (none started while some are). */
  private final AtomicInteger refreshing = new AtomicInteger();

  SwitchboardClusterManager(Config config) {
    super(config);
  }

  @Override
  public void init(Vertx vertx) {
    this.vertx = vertx;
    super.init(vertx);
  }

  @Override
  public void registrationListener(RegistrationListener listener) {
    eventBus = listener;
    super.registrationListener(listener);
  }

  @Override
  public void getRegistrations(String address, Completable<List<RegistrationInfo>> promise) {
    lookedUp.add(address);
    super.getRegistrations(address, promise);
  }

  /**
   * Gives the event bus, for every address it routes from its cache, the address's registrations
   * as the cluster map has them now. The event bus's cache follows the map only through
   * Hazelcast's entry events, and an event is sent once: one lost on a connection that closed
   * (a member that missed heartbeats, see {@link ClusterConfigLoader#boundLostCalls}) leaves the
   * address routed to a member that left, for good: a gateway went on sending chat messages in
   * turn to a dead chat instance until the end of a test run. Vert.x's "registrations lost" notice after a
   * member leaves does not clear that cache (its node selector ignores it). So every
   * {@value #ROUTE_REFRESH_MS} ms: a few map reads, one per address this process sends to.
   */
  void refreshRoutes() {
    RegistrationListener listener = eventBus;
    if (listener == null || !isActive() || refreshing.get() > 0) {
      return;
    }
    for (String address : lookedUp) {
      if (!listener.wantsUpdatesFor(address)) {
        // No longer routed from the cache: looked up again, and added again, when next sent to.
        lookedUp.remove(address);
        continue;
      }
      refreshing.incrementAndGet();
      super.getRegistrations(address, (registrations, failure) -> {
        refreshing.decrementAndGet();
        if (failure == null) {
          listener.registrationsUpdated(new RegistrationUpdateEvent(address, registrations));
        } else {
          log.debug("address={} registrations not refreshed: {}", address, failure.getMessage());
        }
      });
    }
  }

  @Override
  public void join(Completable<Void> promise) {
    super.join((ignored, failure) -> {
      if (failure != null) {
        promise.fail(failure);
        return;
      }
      vertx.setPeriodic(ROUTE_REFRESH_MS, id -> refreshRoutes());
      HazelcastInstance hazelcast = getHazelcastInstance();
      HalfOpenConnections.install(hazelcast);
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
