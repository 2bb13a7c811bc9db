package io.github.switchboard.simulator;

import com.hazelcast.core.HazelcastInstance;
import io.github.switchboard.coordination.ActiveStandbyService;
import io.github.switchboard.coordination.fence.FencedOutException;
import io.github.switchboard.protocol.Addresses;
import io.github.switchboard.protocol.ErrorCode;
import io.github.switchboard.protocol.ServiceErrors;
import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Optional;

/**
 * The live-score simulator and the random stream, active on one instance per cluster (the
 * {@code simulator} leadership); other instances stand by and answer snapshots. The events
 * live in the cluster's storage, so a standby continues from the last saved versions.
 */
public class SimulatorVerticle extends ActiveStandbyService {

  private static final Logger log = LoggerFactory.getLogger(SimulatorVerticle.class);

  /** Pause before an instance that failed to start the simulation asks for the role again. */
  static final long RETRY_MS = 5_000;

  private EventStore store;
  private SimulatorOptions options;
  private ScoreSimulator scores;
  private RandomStream random;

  public SimulatorVerticle() {
    super("simulator");
  }

  @Override
  protected void readSettings(JsonObject config, Map<String, String> env) {
    options = SimulatorOptions.from(config, env);
  }

  @Override
  protected Future<Void> openStorage(Optional<HazelcastInstance> hazelcast) {
    store = hazelcast.<EventStore>map(hz -> new HazelcastEventStore(vertx, hz)).orElseGet(LocalEventStore::new);
    random = new RandomStream(vertx, options.randomIntervalMs());
    return Future.succeededFuture();
  }

  /** Every instance, standby included, answers snapshots from the stored events. */
  @Override
  protected Future<Void> registerConsumers() {
    return vertx.eventBus().consumer(Addresses.SCORES_SNAPSHOT, this::snapshot).completion();
  }

  /**
   * Runs the scores with this term's fencing token. Holding the role without running would
   * leave the cluster without scores: resign instead (or, fenced out, stand by).
   */
  @Override
  protected void becomeActive() {
    ScoreSimulator term = new ScoreSimulator(vertx, store, options, fenceToken(), this::roleLost,
      this::holdsRole);
    scores = term;
    term.start()
      .onSuccess(v -> {
        if (scores == term) {
          random.start();
        }
      })
      .onFailure(e -> {
        term.stop();
        if (scores != term) {
          return;
        }
        if (e instanceof FencedOutException) {
          roleLost(e.getMessage());
        } else {
          log.error("Score simulator could not start: {}", e.getMessage(), e);
          resign(RETRY_MS);
        }
      });
  }

  /** Not one more update: the next holder of the role continues from the stored versions. */
  @Override
  protected void becomeStandby(String reason) {
    stopRunning();
  }

  @Override
  protected Future<Void> stopTakingWork() {
    stopRunning();
    return Future.succeededFuture();
  }

  private void stopRunning() {
    if (scores != null) {
      scores.stop();
      scores = null;
    }
    random.stop();
  }

  /** Replies with the current events as a JSON array, in id order. */
  private void snapshot(Message<Object> request) {
    store.load(ScoreSimulator.eventIds()).onComplete(ar -> {
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
