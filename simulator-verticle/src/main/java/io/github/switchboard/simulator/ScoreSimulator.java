package io.github.switchboard.simulator;

import io.github.switchboard.protocol.Delivery;
import io.github.switchboard.protocol.Groups;
import io.github.switchboard.coordination.fence.FencedOutException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The five live events. Each has its own timer: at a random moment between the minimum and
 * maximum delay after its previous change, one side scores, the version goes up by one, the
 * event is saved, and then published once as {@code {"type":"UPDATE","data":E}}.
 */
final class ScoreSimulator {

  static final int EVENT_COUNT = 5;
  private static final String[] NAMES = {
    "Lions vs Tigers", "Eagles vs Hawks", "Sharks vs Dolphins", "Wolves vs Bears", "Falcons vs Ravens"};
  private static final Logger log = LoggerFactory.getLogger(ScoreSimulator.class);

  private final Vertx vertx;
  private final EventStore store;
  private final SimulatorOptions options;
  private final List<Long> timers = new ArrayList<>();
  /** This term's fencing token: every save carries it. */
  private final long token;
  /** Told (once) when the store refuses the token: a newer simulator is active. */
  private final Consumer<String> fencedOut;
  /** Whether this instance still holds the role now (asked before each save and publish). */
  private final BooleanSupplier holdsRole;
  private boolean stopped;

  ScoreSimulator(Vertx vertx, EventStore store, SimulatorOptions options, long token, Consumer<String> fencedOut,
                 BooleanSupplier holdsRole) {
    this.holdsRole = holdsRole;
    this.vertx = vertx;
    this.store = store;
    this.options = options;
    this.token = token;
    this.fencedOut = fencedOut;
  }

  static String eventId(int i) {
    return String.format("EVENT#%02d", i);
  }

  static Set<String> eventIds() {
    Set<String> ids = new TreeSet<>();
    for (int i = 0; i < EVENT_COUNT; i++) {
      ids.add(eventId(i));
    }
    return ids;
  }

  /**
   * Fences the stored events with this term's token and loads them (creating them on the very
   * first run), then starts their clocks. Fencing first means that a save of the previous
   * simulator still on its way is either in what is loaded or refused, never lost in between.
   */
  Future<Void> start() {
    return store.takeOver(token, eventIds()).compose(loaded -> {
      Map<String, ScoreEvent> byId = new HashMap<>();
      loaded.forEach(e -> byId.put(e.id(), e));
      List<ScoreEvent> events = new ArrayList<>();
      List<Future<Void>> created = new ArrayList<>();
      // By id, so that one lost event is recreated without touching the others.
      for (int i = 0; i < EVENT_COUNT; i++) {
        ScoreEvent event = byId.get(eventId(i));
        if (event == null) {
          event = new ScoreEvent(eventId(i), NAMES[i], 0, 0, 1, System.currentTimeMillis());
          created.add(store.save(event, token));
        }
        events.add(event);
      }
      return Future.all(created).map(v -> events);
    }).onSuccess(events -> {
      log.info("Score simulator running: {} events, continuing from versions {}", events.size(),
        events.stream().map(ScoreEvent::version).toList());
      events.forEach(this::schedule);
    }).mapEmpty();
  }

  void stop() {
    stopped = true;
    timers.forEach(vertx::cancelTimer);
    timers.clear();
  }

  private void schedule(ScoreEvent event) {
    if (stopped) {
      return;
    }
    long delay = ThreadLocalRandom.current().nextLong(options.minDelayMs(), options.maxDelayMs() + 1);
    long[] id = new long[1];
    id[0] = vertx.setTimer(delay, t -> {
      timers.remove(id[0]);
      change(event);
    });
    timers.add(id[0]);
  }

  private void change(ScoreEvent event) {
    if (stopped || !holdsRole.getAsBoolean()) {
      return;
    }
    ScoreEvent next = event.scored(ThreadLocalRandom.current().nextBoolean(), System.currentTimeMillis());
    // Saved before it is published: a standby that takes over never re-issues a version that
    // clients have already seen.
    store.save(next, token).onComplete(ar -> {
      if (ar.failed() && ar.cause() instanceof FencedOutException fenced) {
        if (!stopped) {
          stop();
          fencedOut.accept(fenced.getMessage());
        }
        return;
      }
      if (ar.failed()) {
        log.warn("event={} version {} not saved, retrying later: {}", event.id(), next.version(), ar.cause().getMessage());
        schedule(event);
        return;
      }
      // A save that came back after a stall is stored, but a newer holder may have published
      // past it meanwhile: not published (the next version will be, by whoever holds the role).
      if (stopped || !holdsRole.getAsBoolean()) {
        return;
      }
      JsonObject update = new JsonObject().put("type", "UPDATE").put("data", next.toJson());
      vertx.eventBus().publish(Groups.address(Groups.SCORES), Delivery.json(update.encode()).encode());
      schedule(next);
    });
  }
}
