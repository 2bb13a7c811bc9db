package io.github.switchboard.launcher;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Completable;
import io.vertx.core.Vertx;
import io.vertx.core.spi.cluster.RegistrationListener;
import io.vertx.core.spi.cluster.RegistrationUpdateEvent;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

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
 * <p>When a member leaves, Vert.x's manager cleans the cluster's event-bus map of that member's
 * registrations and then tells the event bus that its registrations are lost (so that it looks
 * every address up again, without that member). A Hazelcast call that fails in between (one
 * whose answer was lost with a connection this member closed on a missed heartbeat, see
 * {@link ClusterConfigLoader#boundLostCalls}) makes it log "Failed to handle memberRemoved" and
 * give up: the event bus then goes on sending to the member that left (a gateway's requests to
 * the chat service failed that way until the end of a test run). Here the departure is handled
 * again until the event bus was told.
 */
final class SwitchboardClusterManager extends HazelcastClusterManager {

  private static final Logger log = LoggerFactory.getLogger(SwitchboardClusterManager.class);

  /** Pause before a member's departure is handled again after it failed. */
  static final long REMOVAL_RETRY_MS = 1_000;

  /** Times Vert.x's manager told the event bus to forget what it knew of the cluster's registrations. */
  private final AtomicLong registrationsLost = new AtomicLong();
  /** Whether the event bus listens: without a listener there is nothing to tell. */
  private volatile boolean listened;
  private volatile Vertx vertx;

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
    listened = true;
    super.registrationListener(new RegistrationListener() {
      @Override
      public void registrationsUpdated(RegistrationUpdateEvent event) {
        listener.registrationsUpdated(event);
      }

      @Override
      public void registrationsLost() {
        registrationsLost.incrementAndGet();
        listener.registrationsLost();
      }

      @Override
      public boolean wantsUpdatesFor(String address) {
        return listener.wantsUpdatesFor(address);
      }
    });
  }

  /**
   * Vert.x's handling, and again a second later while it failed. Its last step that matters to
   * routing is telling the event bus its registrations are lost (it then looks every address up
   * again, without the member that left): if that did not happen, a Hazelcast call before it
   * failed. Synchronized like Vert.x's own handlers, so that no other one runs in between.
   */
  @Override
  public synchronized void memberRemoved(MembershipEvent event) {
    long before = registrationsLost.get();
    super.memberRemoved(event);
    if (listened && registrationsLost.get() == before && isActive() && vertx != null) {
      // Vert.x's manager caught the failure and logged it ("Failed to handle memberRemoved"); it
      // would not try again.
      log.warn("Vert.x did not finish handling the departure of member {}; handling it again in {} ms",
        event.getMember(), REMOVAL_RETRY_MS);
      vertx.setTimer(REMOVAL_RETRY_MS, id -> vertx.executeBlocking(() -> {
        memberRemoved(event);
        return null;
      }, false));
    }
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
