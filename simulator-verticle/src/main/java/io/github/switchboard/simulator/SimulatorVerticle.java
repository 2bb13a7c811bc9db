package io.github.switchboard.simulator;

import io.github.switchboard.coordination.ClusterStorage;
import io.github.switchboard.coordination.Leadership;
import io.github.switchboard.launcher.health.HealthHandler;
import io.github.switchboard.launcher.health.HealthServer;
import io.github.switchboard.launcher.health.Readiness;
import io.github.switchboard.protocol.Addresses;
import io.github.switchboard.protocol.ErrorCode;
import io.github.switchboard.protocol.ServiceErrors;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live-score simulator and the random stream, active on one instance per cluster (the
 * {@code simulator} leadership); other instances stand by and answer snapshots. The events
 * live in the cluster's storage, so a standby continues from the last saved versions.
 */
public class SimulatorVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(SimulatorVerticle.class);

  /** Pause before an instance that failed to start the simulation asks for the role again. */
  static final long RETRY_MS = 5_000;

  private EventStore store;
  private SimulatorOptions options;
  private Leadership leadership;
  private ScoreSimulator scores;
  private RandomStream random;
  private HealthServer health;
  private final Readiness readiness = new Readiness();

  @Override
  public Future<?> start() {
    try {
      options = SimulatorOptions.from(config(), System.getenv());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    store = ClusterStorage.hazelcast(vertx)
      .<EventStore>map(hz -> new HazelcastEventStore(vertx, hz))
      .orElseGet(LocalEventStore::new);
    scores = new ScoreSimulator(vertx, store, options);
    random = new RandomStream(vertx, options.randomIntervalMs());
    MessageConsumer<Object> snapshots = vertx.eventBus().consumer(Addresses.SCORES_SNAPSHOT, this::snapshot);
    leadership = new Leadership(vertx, "simulator", Leadership.DEFAULT_ATTEMPT_MS);
    leadership.start(this::becomeActive);
    return snapshots.completion().compose(v -> startHealth()).onSuccess(v -> readiness.up());
  }

  /** Clustered, the process has no gateway beside it: it answers probes itself. */
  private Future<Void> startHealth() {
    HealthHandler handler = new HealthHandler("simulator", readiness,
      () -> new JsonObject().put("role", leadership.isActive() ? "active" : "standby"));
    return HealthServer.startIfConfigured(vertx, config(), System.getenv(), handler)
      .onSuccess(server -> health = server)
      .mapEmpty();
  }

  /** Holding the role without running would leave the cluster without scores: resign instead. */
  private void becomeActive() {
    scores.start()
      .onSuccess(v -> random.start())
      .onFailure(e -> {
        log.error("Score simulator could not start: {}", e.getMessage(), e);
        scores.stop();
        scores = new ScoreSimulator(vertx, store, options);
        leadership.resign(RETRY_MS, this::becomeActive);
      });
  }

  @Override
  public Future<?> stop() {
    readiness.draining();
    scores.stop();
    random.stop();
    return leadership.stop().compose(v -> health == null ? Future.succeededFuture() : health.close());
  }

  /** Replies with the current events as a JSON array, in id order. */
  private void snapshot(Message<Object> request) {
    store.load().onComplete(ar -> {
      if (ar.succeeded() && ar.result().isEmpty()) {
        ServiceErrors.refuse(request, ErrorCode.SERVICE_UNAVAILABLE, "score events are not started yet");
      } else if (ar.succeeded()) {
        JsonArray events = new JsonArray();
        ar.result().forEach(e -> events.add(e.toJson()));
        request.reply(events);
      } else {
        log.warn("Score snapshot failed: {}", ar.cause().getMessage());
        request.fail(500, "score events could not be read");
      }
    });
  }

}
