package io.github.switchboard.clustertest;

import io.vertx.core.Promise;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** A /ws/scores socket: versions per event must only go up, and one version has one content. */
final class ScoresWatcher {
  private static final Logger log = LoggerFactory.getLogger(ScoresWatcher.class);
  private final Map<String, Long> lastVersion = new ConcurrentHashMap<>();
  private final Map<String, String> contentOf = new ConcurrentHashMap<>();
  /** Whether an event's last version came in an UPDATE (else in an INITIAL). */
  private final Map<String, Boolean> updated = new ConcurrentHashMap<>();
  private final List<String> violations = new CopyOnWriteArrayList<>();
  private final AtomicInteger updates = new AtomicInteger();
  private final AtomicInteger initials = new AtomicInteger();

  ScoresWatcher(TestCluster cluster, TestCluster.Gateway gateway) throws Exception {
    this(cluster, gateway, null);
  }

  /**
   * A socket that goes on checking from what {@code before} saw (a client that reconnected, e.g.
   * after a restart of the whole cluster): versions still only go up across the two.
   */
  ScoresWatcher(TestCluster cluster, TestCluster.Gateway gateway, ScoresWatcher before) throws Exception {
    if (before != null) {
      lastVersion.putAll(before.lastVersion);
      contentOf.putAll(before.contentOf);
      updated.putAll(before.updated);
    }
    WebSocketClient client = cluster.vertx.createWebSocketClient(new WebSocketClientOptions());
    Promise<Void> open = Promise.promise();
    cluster.vertx.runOnContext(v -> client.connect(new WebSocketConnectOptions().setHost(gateway.host())
      .setPort(gateway.port()).setURI("/ws/scores")).onComplete(ar -> {
        if (ar.failed()) {
          open.fail(ar.cause());
          return;
        }
        ar.result().textMessageHandler(this::received);
        open.complete();
      }));
    open.future().await(30, TimeUnit.SECONDS);
  }

  private void received(String text) {
    JsonObject frame = new JsonObject(text);
    if ("INITIAL".equals(frame.getString("type"))) {
      frame.getJsonArray("data").forEach(e -> see((JsonObject) e, false));
      initials.incrementAndGet();
    } else if ("UPDATE".equals(frame.getString("type"))) {
      see(frame.getJsonObject("data"), true);
      updates.incrementAndGet();
    }
  }

  private void see(JsonObject event, boolean update) {
    String id = event.getString("id");
    long version = event.getLong("version");
    Long last = lastVersion.get(id);
    // An UPDATE may repeat the version an INITIAL showed: the simulator saves a change before it
    // publishes it, and a snapshot read between the two has it (docs/protocol.md: INITIAL never
    // shows a version older than a later UPDATE). Never one an earlier UPDATE carried.
    boolean repeat = update && last != null && version == last && Boolean.TRUE.equals(updated.get(id));
    if (last != null && (version < last || repeat)) {
      violations.add(id + ": version " + version + " after " + last);
    }
    if (last == null || version > last) {
      updated.put(id, update);
    } else if (update && version == last) {
      updated.put(id, true);
    }
    lastVersion.merge(id, version, Math::max);
    String content = event.copy().put("updatedAt", 0).encode();
    String before = contentOf.putIfAbsent(id + "@" + version, content);
    if (before != null && !before.equals(content)) {
      violations.add(id + " version " + version + " issued twice: " + before + " and " + content);
    }
  }

  int updates() {
    return updates.get();
  }

  int initials() {
    return initials.get();
  }

  /** The greatest version seen per event id. */
  Map<String, Long> lastVersions() {
    return Map.copyOf(lastVersion);
  }

  void check() {
    log.info("scores: {} updates, last versions {}", updates.get(), lastVersion);
    assertThat(violations).as("score versions that went back or were issued twice").isEmpty();
  }
}