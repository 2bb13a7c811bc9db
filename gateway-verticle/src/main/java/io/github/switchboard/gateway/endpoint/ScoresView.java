package io.github.switchboard.gateway.endpoint;

import io.github.switchboard.gateway.session.Session;
import io.github.switchboard.gateway.transport.FrameWriter;
import io.github.switchboard.gateway.fanout.GroupRegistry;
import io.github.switchboard.gateway.service.ScoresClient;
import io.github.switchboard.protocol.Delivery;
import io.github.switchboard.protocol.ErrorCode;
import io.github.switchboard.protocol.Groups;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * This gateway's copy of the five score events, kept while it has {@code /ws/scores} sockets,
 * so that {@code INITIAL} never shows a version older than an update the socket gets after it.
 *
 * <p>It is loaded once per gateway (a snapshot from the simulator, merged with any update that
 * arrived meanwhile, the higher version winning) and then follows the {@code scores} group,
 * seeing each update before the sockets do. A new socket gets {@code INITIAL} from it and
 * joins the group in the same event-loop turn, so no update can fall between the two.
 */
public final class ScoresView {

  /** Pause between snapshot attempts while the simulator does not answer. */
  public static final long RETRY_MS = 1_000;
  private static final Logger log = LoggerFactory.getLogger(ScoresView.class);

  private enum State { UNLOADED, LOADING, LOADED }

  private final Vertx vertx;
  private final GroupRegistry groups;
  private final ScoresClient client;
  private final FrameWriter writer;
  private final Map<String, JsonObject> events = new TreeMap<>();
  private final List<Session> waiting = new ArrayList<>();
  private final Consumer<Delivery> observer = this::update;
  private State state = State.UNLOADED;
  private boolean toldUnavailable;
  private int sockets;

  public ScoresView(Vertx vertx, GroupRegistry groups, ScoresClient client, FrameWriter writer) {
    this.vertx = vertx;
    this.groups = groups;
    this.client = client;
    this.writer = writer;
  }

  void opened(Session session) {
    sockets++;
    if (state == State.LOADED) {
      greet(session);
      return;
    }
    waiting.add(session);
    if (toldUnavailable) {
      writer.error(session, ErrorCode.SERVICE_UNAVAILABLE,
        "the score service is not available yet; INITIAL follows when it is", null);
    }
    if (state == State.UNLOADED) {
      state = State.LOADING;
      groups.observe(Groups.SCORES, observer);
      fetch();
    }
  }

  void closed(Session session) {
    sockets--;
    waiting.remove(session);
    if (sockets == 0) {
      groups.unobserve(Groups.SCORES, observer);
      events.clear();
      state = State.UNLOADED;
      toldUnavailable = false;
    }
  }

  private void fetch() {
    client.snapshot().onComplete(ar -> {
      if (state != State.LOADING) {
        return;
      }
      if (ar.succeeded()) {
        for (Object item : ar.result()) {
          apply((JsonObject) item);
        }
        state = State.LOADED;
        List<Session> ready = new ArrayList<>(waiting);
        waiting.clear();
        ready.forEach(this::greet);
        return;
      }
      log.debug("Score snapshot not available yet: {}", ar.cause().getMessage());
      if (!toldUnavailable) {
        toldUnavailable = true;
        waiting.forEach(s -> writer.serviceError(s, ar.cause(), null));
      }
      vertx.setTimer(RETRY_MS, id -> {
        if (state == State.LOADING) {
          fetch();
        }
      });
    });
  }

  private void greet(Session session) {
    if (session.closing()) {
      return;
    }
    JsonArray data = new JsonArray();
    events.values().forEach(data::add);
    writer.reply(session, new JsonObject().put("type", "INITIAL").put("data", data).encode());
    groups.join(Groups.SCORES, session);
  }

  private void update(Delivery delivery) {
    if (delivery.kind() != Delivery.Kind.JSON) {
      return;
    }
    try {
      JsonObject frame = new JsonObject(new String(delivery.payload(), StandardCharsets.UTF_8));
      if ("UPDATE".equals(frame.getString("type")) && frame.getValue("data") instanceof JsonObject event) {
        apply(event);
      }
    } catch (RuntimeException e) {
      log.warn("group=scores ignored a delivery that is not a score update: {}", e.getMessage());
    }
  }

  /** Keeps the newer of the stored and the given version of an event. */
  private void apply(JsonObject event) {
    String id = event.getString("id");
    Long version = event.getLong("version");
    if (id == null || version == null) {
      return;
    }
    JsonObject current = events.get(id);
    if (current == null || current.getLong("version") < version) {
      events.put(id, event);
    }
  }
}
