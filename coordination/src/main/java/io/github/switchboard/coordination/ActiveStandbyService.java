package io.github.switchboard.coordination;

import com.hazelcast.core.HazelcastInstance;
import io.github.switchboard.coordination.fence.HazelcastRoleFence;
import io.github.switchboard.coordination.fence.LocalRoleFence;
import io.github.switchboard.coordination.fence.RoleFence;
import io.github.switchboard.coordination.members.MemberDirectory;
import io.github.switchboard.launcher.health.HealthHandler;
import io.github.switchboard.launcher.health.HealthServer;
import io.github.switchboard.launcher.health.Readiness;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The skeleton of a service with one active instance per cluster (chat, simulator). It owns the
 * order of start and stop, so that every service gets it right the same way; a subclass only
 * fills in its parts.
 *
 * <p>Start: {@link #readSettings} (a bad value fails the deployment before anything runs), the
 * health port, {@link #openStorage} (Hazelcast when clustered, the JVM otherwise),
 * {@link #registerConsumers} (what every instance answers, standby or not), then the
 * {@link Leadership}, which calls {@link #becomeActive} on the one active instance (with a
 * fencing token, {@link #fenceToken}) and {@link #becomeStandby} when it loses the role (its
 * view of the cluster fell below the quorum, its process stalled, or a store refused its token:
 * {@link #roleLost}), and last the health server (clustered, with {@code healthPort} /
 * {@code SWITCHBOARD_HEALTH_PORT} set).
 * {@code /health/ready} is UP from then on, with {@code "role":"active"|"standby"}, and 503
 * {@code UNREACHABLE} while this instance sees fewer data members than the quorum.
 *
 * <p>Stop, in this order, each step after the previous one has completed:
 * <ol>
 *   <li>readiness turns DRAINING (probes see it while the rest runs);</li>
 *   <li>{@link #stopTakingWork}: no new work is accepted;</li>
 *   <li>{@link #finishInFlight}: work already accepted is done;</li>
 *   <li>the leadership is released, so a standby takes over at once, and never while this
 *   instance still writes;</li>
 *   <li>the health server closes, last, so that probes can watch the whole stop.</li>
 * </ol>
 * A failing step is logged and the next still runs: releasing the role matters more than a
 * clean unregistration.
 */
public abstract class ActiveStandbyService extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(ActiveStandbyService.class);

  private final String role;
  private final Readiness readiness = new Readiness();
  private Leadership leadership;
  private HealthServer health;
  private MemberDirectory directory;
  private RoleMetrics metrics;
  private long quorumWatch = -1;
  /**
   * Whether every partition this member owns has its backup in sync (clustered only; null before
   * the first look): until it has, the loss of one more data member loses what had one copy.
   */
  private volatile Boolean backupsSafe;
  private long backupWatch = -1;
  private boolean lookingAtBackups;

  /**
   * @param role the leadership role and the {@code service} name in health bodies
   *             ({@code chat}, {@code simulator})
   */
  protected ActiveStandbyService(String role) {
    this.role = role;
  }

  /** Reads and checks the options; throws {@link IllegalArgumentException} for an invalid one. */
  protected abstract void readSettings(JsonObject config, Map<String, String> env);

  /**
   * Creates the service's stores: in Hazelcast when given, in this JVM otherwise (and reads back
   * a store's file, off the event loop); fails the start when one cannot be opened.
   */
  protected abstract Future<Void> openStorage(Optional<HazelcastInstance> hazelcast);

  /** Registers what every instance answers; completes when the cluster knows the consumers. */
  protected abstract Future<Void> registerConsumers();

  /** This instance now holds the role: take the work on (or {@link #resign} if it cannot). */
  protected abstract void becomeActive();

  /**
   * The role is gone ({@code reason} says why): stop the active work now, without waiting for
   * anything; the instance may become active again later. By default there is nothing to stop.
   */
  protected void becomeStandby(String reason) {
  }

  /** Stop accepting new work (unregister the intake, stop timers). */
  protected abstract Future<Void> stopTakingWork();

  /** Complete the work already accepted; by default there is none to wait for. */
  protected Future<Void> finishInFlight() {
    return Future.succeededFuture();
  }

  /** Extra fields of the health bodies; subclasses may add to {@code super.healthDetails()}. */
  protected JsonObject healthDetails() {
    JsonObject details = new JsonObject().put("role", isActive() ? "active" : "standby");
    if (backupsSafe != null) {
      details.put("backups", backupsSafe ? "safe" : "syncing");
    }
    return details;
  }

  /** Where the role's meters go: the process's registry; tests give their own. */
  protected io.micrometer.core.instrument.MeterRegistry meterRegistry() {
    return RoleMetrics.processRegistry();
  }

  /** The environment the settings are read from; tests give their own. */
  protected Map<String, String> environment() {
    return System.getenv();
  }

  /**
   * Starts the health server when the process runs clustered and a port is set. Embedded, the
   * gateway beside the service answers for the process. Tests override it to listen on port 0.
   */
  protected Future<HealthServer> startHealthServer(int port, HealthHandler handler) {
    if (!vertx.isClustered() || port == 0) {
      return Future.succeededFuture();
    }
    return HealthServer.start(vertx, port, handler)
      .onSuccess(server -> log.info("{}: health and metrics on port {}", role, server.actualPort()));
  }

  @Override
  public final Future<?> start() {
    int healthPort;
    try {
      Map<String, String> env = environment();
      readSettings(config(), env);
      healthPort = HealthServer.port(config(), env);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    Optional<HazelcastInstance> hazelcast = ClusterStorage.hazelcast(vertx);
    return openStorage(hazelcast).compose(v -> start(hazelcast, healthPort));
  }

  private Future<?> start(Optional<HazelcastInstance> hazelcast, int healthPort) {
    Future<Void> registered = registerConsumers();
    RoleFence fence = hazelcast.<RoleFence>map(hz -> new HazelcastRoleFence(vertx, hz)).orElseGet(() -> new LocalRoleFence(vertx));
    ClusterQuorum quorum = hazelcast.map(ClusterQuorum::of).orElseGet(ClusterQuorum::embedded);
    leadership = new Leadership(vertx, role, Leadership.DEFAULT_ATTEMPT_MS, fence, quorum);
    metrics = RoleMetrics.of(meterRegistry(), role, this::isActive);
    // The cluster's member list says which instance holds the role: every change is written at once.
    // Unique even with two instances in one JVM (tests): the deployment's id is part of it.
    directory = new MemberDirectory(vertx, role, role + "@" + MemberDirectory.nodeId(vertx) + "/" + deploymentID(),
      this::memberState);
    leadership.start(token -> {
      metrics.changed(RoleMetrics.Change.ACQUIRED);
      directory.changed();
      activate();
    }, reason -> {
      metrics.changed(RoleMetrics.Change.LOST);
      directory.changed();
      becomeStandby(reason);
    });
    // Health says when this instance is cut off from the cluster (it can store nothing then).
    quorumWatch = vertx.setPeriodic(Leadership.QUORUM_CHECK_MS, id -> readiness.cutOff(!quorum.present()));
    hazelcast.ifPresent(hz -> backupWatch = vertx.setPeriodic(BACKUP_CHECK_MS, id -> lookAtBackups(hz)));
    return registered
      // Not waited for, not fatal: the service works without its entry (the member list would only
      // miss it until the next refresh), and a store that does not answer must not hold up the start.
      .onSuccess(v -> directory.start().onFailure(e ->
        log.warn("role={}: not listed in the member directory yet: {}", role, e.getMessage())))
      .compose(v -> startHealthServer(healthPort, new HealthHandler(role, readiness, this::healthDetails)))
      .onSuccess(server -> {
        health = server;
        readiness.up();
      })
      // A half-started instance must not keep the role (or ask for it) after its deployment failed.
      .recover(e -> stopInOrder().transform(ignored -> Future.failedFuture(e)));
  }

  @Override
  public final Future<?> stop() {
    return stopInOrder();
  }

  /** Whether this instance holds the role now. */
  protected final boolean isActive() {
    return leadership != null && leadership.isActive();
  }

  /** Whether the service is stopping (then nothing new may start). */
  protected final boolean isStopping() {
    return readiness.isDraining();
  }

  /**
   * Whether this instance may act as the role holder right now ({@link Leadership#current}):
   * ask before each write and publish of the role's work.
   */
  protected final boolean holdsRole() {
    return leadership != null && leadership.current();
  }

  /** The fencing token of this instance's term as the active one; 0 when standing by. */
  protected final long fenceToken() {
    return leadership == null ? 0 : leadership.token();
  }

  /**
   * A store refused a write made with this instance's token (a newer instance holds the role):
   * give the role up now ({@link #becomeStandby} follows).
   */
  protected final void roleLost(String reason) {
    leadership.lost(reason);
  }

  /**
   * Gives the role up after {@link #becomeActive} failed to take the work on, so that a standby
   * can try; this instance asks again after {@code retryMs}.
   */
  protected final void resign(long retryMs) {
    boolean held = isActive();
    leadership.resign(retryMs);
    if (held) {
      metrics.changed(RoleMetrics.Change.RESIGNED);
      directory.changed();
    }
  }

  /** This instance's entry in the {@link MemberDirectory}: its role state and backups. */
  private JsonObject memberState() {
    JsonObject state = new JsonObject().put("state", readiness.isDraining() ? "stopping" : isActive() ? "active" : "standby");
    if (backupsSafe != null) {
      state.put("backups", backupsSafe ? "safe" : "syncing");
    }
    return state;
  }

  private void activate() {
    if (readiness.isDraining()) {
      // The lock came back between stopTakingWork and its release: taking work on now would
      // outlive the stop. The coming leadership.stop() releases it.
      log.info("role={} acquired while stopping; not taking work on", role);
      return;
    }
    becomeActive();
  }

  /** How often a data member looks whether its partitions' backups are in sync. */
  static final long BACKUP_CHECK_MS = 1_000;

  /** isLocalMemberSafe asks the backups' owners: a worker thread, one look at a time. */
  private void lookAtBackups(HazelcastInstance hazelcast) {
    if (lookingAtBackups) {
      return;
    }
    lookingAtBackups = true;
    vertx.executeBlocking(() -> hazelcast.getPartitionService().isLocalMemberSafe(), false).onComplete(ar -> {
      lookingAtBackups = false;
      backupsSafe = ar.succeeded() && ar.result();
    });
  }

  private Future<Void> stopInOrder() {
    readiness.draining();
    vertx.cancelTimer(quorumWatch);
    vertx.cancelTimer(backupWatch);
    Future<Void> stopped = step("stop taking work", this::stopTakingWork);
    return stopped
      .compose(v -> step("finish in-flight work", this::finishInFlight))
      .compose(v -> step("release leadership", this::releaseLeadership))
      .compose(v -> step("leave the member directory", this::leaveDirectory))
      .compose(v -> step("close health server", () -> health == null ? Future.succeededFuture() : health.close()));
  }

  /**
   * Not waited for: a cluster store that does not answer (a split) must not hold up the stop; an
   * entry not removed expires with its time to live ({@link MemberDirectory#TTL_MS}).
   */
  private Future<Void> leaveDirectory() {
    if (directory != null) {
      directory.stop();
    }
    return Future.succeededFuture();
  }

  private Future<Void> releaseLeadership() {
    if (leadership == null) {
      return Future.succeededFuture();
    }
    boolean held = isActive();
    return leadership.stop().onSuccess(v -> {
      if (held) {
        metrics.changed(RoleMetrics.Change.RELEASED);
      }
    });
  }

  private Future<Void> step(String what, Supplier<Future<Void>> action) {
    Future<Void> done;
    try {
      done = action.get();
    } catch (RuntimeException e) {
      done = Future.failedFuture(e);
    }
    return done.recover(e -> {
      log.warn("role={} stop: {} failed: {}", role, what, e.getMessage(), e);
      return Future.succeededFuture();
    });
  }
}
