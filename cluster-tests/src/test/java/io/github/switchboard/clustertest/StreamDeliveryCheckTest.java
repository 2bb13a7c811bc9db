package io.github.switchboard.clustertest;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The stream guarantee under faults, checked from outside (docs/protocol.md, "Streams"): two
 * gateways, two chat processes (data members that hold the stream map with the gateways), 50
 * subscribers of one stream group spread over both gateways, a publisher at 200 messages/s
 * through HTTP publish on both gateways for 20 s. One gateway is killed with kill -9 mid-run (its
 * subscribers reconnect to the other with {@code since}) and later one data member. The checker
 * keeps what each publish was acknowledged with (offset, payload) and what each subscriber
 * received, and requires of every subscriber: offsets 1..N exactly once and in order, where N is
 * the offset of a last publish made after the faults; every acknowledged offset with the payload
 * it was acknowledged for; and no offset that was never published (N - acknowledged is at most
 * the publishes whose outcome was lost with the killed gateway).
 */
class StreamDeliveryCheckTest {

  private static final Logger log = LoggerFactory.getLogger(StreamDeliveryCheckTest.class);
  private static final String API_KEY = "stream-check-key";
  private static final String GROUP = "ledger";
  private static final String RULES = "[{\"pattern\":\"ledger\",\"subscribe\":true,\"publish\":true,"
    + "\"history\":{\"size\":10000,\"ttlMs\":600000}},{\"pattern\":\"*\",\"subscribe\":true,\"publish\":true}]";
  private static final int SUBSCRIBERS = 50;
  private static final int RATE = 200;
  private static final int SECONDS = 20;
  /** Publishes without an answer yet that the join test's publisher allows itself. */
  private static final int JOIN_WINDOW = 100;

  private TestCluster cluster;
  private volatile boolean finished;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** One subscriber: the offsets it received, in arrival order, and the payload of each. */
  private final class Subscriber {
    final int index;
    final List<Long> offsets = new ArrayList<>();
    final Map<Long, String> payloads = new HashMap<>();
    String epoch;
    volatile boolean reconnected;
    volatile Boolean recoveredOnReconnect;
    volatile WebSocket socket;

    Subscriber(int index) {
      this.index = index;
    }

    synchronized void received(JsonObject message) {
      long offset = message.getLong("offset");
      offsets.add(offset);
      payloads.put(offset, message.getValue("data").toString());
      epoch = message.getString("epoch");
    }

    synchronized JsonObject since() {
      return offsets.isEmpty() ? null
        : new JsonObject().put("offset", offsets.get(offsets.size() - 1)).put("epoch", epoch);
    }

    synchronized long last() {
      return offsets.isEmpty() ? 0 : offsets.get(offsets.size() - 1);
    }
  }

  private Future<WebSocket> open(WebSocketClient client, int port, Subscriber subscriber, JsonObject since,
                                 Runnable onClose) {
    Promise<WebSocket> subscribed = Promise.promise();
    client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/ws")).onComplete(ar -> {
      if (ar.failed()) {
        subscribed.fail(ar.cause());
        return;
      }
      WebSocket ws = ar.result();
      ws.textMessageHandler(text -> {
        JsonObject frame = new JsonObject(text);
        switch (frame.getString("type")) {
          case "message" -> subscriber.received(frame);
          case "subscribed" -> {
            if (since != null) {
              subscriber.recoveredOnReconnect = frame.getBoolean("recovered");
            }
            subscribed.tryComplete(ws);
          }
          default -> log.warn("subscriber {} got {}", subscriber.index, text);
        }
      });
      ws.closeHandler(v -> onClose.run());
      JsonObject request = new JsonObject().put("type", "subscribe").put("group", GROUP).put("id", 1);
      if (since != null) {
        request.put("since", since);
      }
      ws.writeTextMessage(request.encode());
    });
    return subscribed.future();
  }

  @Test
  void everySubscriberGetsEveryOffsetOnceInOrderThroughAGatewayAndADataMemberKilled() throws Exception {
    cluster = new TestCluster("stream-check");
    cluster.chat("chat-1");
    ClusterProcess chatTwo = cluster.chat("chat-2");
    // All the checker's traffic comes from one address: while Hazelcast finds the killed member,
    // publishes stall and their HTTP pool opens up to 1,000 connections, which with the
    // subscribers' sockets passes the default per-address limit (1,000) when the stall lasts
    // about 5 s (200 publishes a second). Limits are not what this test is about: lifted.
    Map<String, String> env = Map.of("SWITCHBOARD_GROUPS", RULES, "SWITCHBOARD_API_KEY", API_KEY,
      "SWITCHBOARD_RATE_LIMIT_PER_SECOND", "100000", "SWITCHBOARD_RATE_LIMIT_BURST", "100000",
      "SWITCHBOARD_MAX_CONNECTIONS_PER_IP", "10000");
    TestCluster.Gateway survivor = cluster.gateway("gateway-1", env);
    TestCluster.Gateway doomed = cluster.gateway("gateway-2", env);

    WebSocketClient client = cluster.vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(1_000));
    List<Subscriber> subscribers = new ArrayList<>();
    List<Future<WebSocket>> opened = new ArrayList<>();
    for (int i = 0; i < SUBSCRIBERS; i++) {
      Subscriber subscriber = new Subscriber(i);
      subscribers.add(subscriber);
      boolean onDoomed = i % 2 == 1;
      Runnable onClose = !onDoomed ? () -> {
        if (!finished) {
          log.warn("subscriber {} lost its socket to the survivor", subscriber.index);
        }
      }
        : () -> open(client, survivor.port(), subscriber, subscriber.since(), () -> { })
          .onSuccess(ws -> subscriber.reconnected = true)
          .onFailure(e -> log.warn("subscriber {} could not reconnect: {}", subscriber.index, e.toString()));
      opened.add(open(client, (onDoomed ? doomed : survivor).port(), subscriber, null, onClose)
        .onSuccess(ws -> subscriber.socket = ws));
    }
    Future.all(opened).await(30, TimeUnit.SECONDS);

    // Requests stall while Hazelcast finds the dead member: enough connections for them all.
    WebClient http = WebClient.wrap(cluster.vertx.createHttpClient(new HttpClientOptions(),
      new PoolOptions().setHttp1MaxSize(1_000)));
    Map<Long, String> acked = new ConcurrentHashMap<>();
    AtomicInteger unknown = new AtomicInteger();
    AtomicInteger duplicateAcks = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    List<Future<?>> publishes = new ArrayList<>();
    long start = System.nanoTime();
    boolean gatewayKilled = false;
    boolean memberKilled = false;
    int total = RATE * SECONDS;
    for (int n = 1; n <= total; n++) {
      long due = start + TimeUnit.MILLISECONDS.toNanos(n * 1_000L / RATE);
      long wait = due - System.nanoTime();
      if (wait > 0) {
        // Pacing the publisher at its rate, not waiting for anything to happen.
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      if (!gatewayKilled && n >= total * 3 / 10) {
        log.info("kill -9 {} after {} publishes", doomed.process().name(), n);
        doomed.process().kill();
        gatewayKilled = true;
      }
      if (!memberKilled && n >= total * 6 / 10) {
        log.info("kill -9 {} after {} publishes", chatTwo.name(), n);
        chatTwo.kill();
        memberKilled = true;
      }
      String payload = "\"p-" + n + "\"";
      TestCluster.Gateway target = gatewayKilled || n % 2 == 0 ? survivor : doomed;
      publishes.add(publish(http, target, payload, acked, unknown, duplicateAcks, refused));
    }
    Future.join(publishes).await(180, TimeUnit.SECONDS);
    // A last publish after the faults: every subscriber must end at its offset.
    Map<Long, String> marker = new ConcurrentHashMap<>();
    publish(http, survivor, "\"marker\"", marker, unknown, duplicateAcks, refused).await(30, TimeUnit.SECONDS);
    assertThat(marker).as("the marker publish acknowledged").hasSize(1);
    long top = marker.keySet().iterator().next();
    acked.putAll(marker);
    log.info("{} publishes acknowledged, {} with no answer (killed gateway), {} refused; top offset {}", acked.size(),
      unknown.get(), refused.get(), top);

    assertThat(duplicateAcks.get()).as("two publishes acknowledged with one offset").isZero();
    assertThat(refused.get()).as("publishes refused with an error").isZero();
    assertThat(top - acked.size()).as("offsets beyond the acknowledged publishes (at most the unanswered ones)")
      .isBetween(0L, (long) unknown.get());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    for (Subscriber subscriber : subscribers) {
      while (subscriber.last() < top && System.nanoTime() < deadline) {
        cluster.vertx.timer(50).await(5, TimeUnit.SECONDS);
      }
    }
    List<Long> expected = java.util.stream.LongStream.rangeClosed(1, top).boxed().toList();
    for (Subscriber subscriber : subscribers) {
      synchronized (subscriber) {
        assertThat(subscriber.offsets).as("offsets of subscriber %d (reconnected %s, recovered %s)", subscriber.index,
          subscriber.reconnected, subscriber.recoveredOnReconnect).containsExactlyElementsOf(expected);
        acked.forEach((offset, payload) -> assertThat(subscriber.payloads.get(offset))
          .as("subscriber %d, offset %d", subscriber.index, offset).isEqualTo(payload.replace("\"", "")));
      }
      if (subscriber.index % 2 == 1) {
        assertThat(subscriber.reconnected).as("subscriber %d moved to the survivor", subscriber.index).isTrue();
        assertThat(subscriber.recoveredOnReconnect).as("subscriber %d recovered", subscriber.index).isTrue();
      }
    }
    JsonObject stats = cluster.get(survivor, "/api/stats").bodyAsJsonObject();
    log.info("survivor stats: streamReads={} streamLost={}", stats.getLong("streamReads"), stats.getLong("streamLost"));
    assertThat(stats.getLong("streamLost")).isZero();
    finished = true;
    http.close();
  }

  /**
   * No registration wait: a socket that is the first of a new stream group on a third gateway,
   * while another gateway takes up to 1,000 publishes a second to that group, gets every offset
   * after the position its {@code subscribed} names, none missing, whether or not the publisher's
   * node knew of the new consumer yet. 20 times, each with a new group (so a new consumer).
   *
   * <p>The publisher keeps at most {@link #JOIN_WINDOW} publishes unanswered: one stream's
   * appends run one at a time on the partition that holds it, and on a loaded two-core box they
   * went at 400 a second. Sent open-loop at 1,000 a second, the backlog grew by 600 a second
   * while the join was waited for, and its acknowledgements took longer than any wait here.
   */
  @Test
  void aFirstSubscriberOnANewGatewayMissesNothingPublishedAfterItsSubscribed() throws Exception {
    cluster = new TestCluster("stream-join");
    cluster.chat("chat-1");
    Map<String, String> env = Map.of("SWITCHBOARD_GROUPS", RULES.replace("\"ledger\"", "\"ledger.*\""),
      "SWITCHBOARD_RATE_LIMIT_PER_SECOND", "100000", "SWITCHBOARD_RATE_LIMIT_BURST", "100000");
    TestCluster.Gateway publisherSide = cluster.gateway("gateway-1", env);
    cluster.gateway("gateway-2", env);
    TestCluster.Gateway joiner = cluster.gateway("gateway-3", env);
    WebSocketClient client = cluster.vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(100));
    WebSocket publisher = client.connect(publisherSide.port(), "127.0.0.1", "/ws").await(10, TimeUnit.SECONDS);
    Map<String, Long> lastAck = new ConcurrentHashMap<>();
    // Publishes answered (ack or error), of the group being published to; on the client's loop.
    AtomicInteger answered = new AtomicInteger();
    publisher.textMessageHandler(text -> {
      JsonObject frame = new JsonObject(text);
      if ("ack".equals(frame.getString("type"))) {
        lastAck.merge(frame.getString("id").split("/")[0], frame.getLong("offset"), Math::max);
        answered.incrementAndGet();
      } else if ("error".equals(frame.getString("type"))) {
        log.warn("publish refused: {}", text);
        answered.incrementAndGet();
      }
    });
    for (int round = 0; round < 20; round++) {
      String group = "ledger." + round;
      Subscriber subscriber = new Subscriber(round);
      // Publishing runs before, during and after the join: up to 1 message per ms, at most
      // JOIN_WINDOW of them unanswered.
      AtomicInteger sent = new AtomicInteger();
      answered.set(0);
      long timer = cluster.vertx.setPeriodic(1, id -> {
        if (sent.get() - answered.get() >= JOIN_WINDOW) {
          return;
        }
        int n = sent.incrementAndGet();
        publisher.writeTextMessage(new JsonObject().put("type", "publish").put("group", group).put("data", n)
          .put("id", group + "/" + n).encode());
      });
      until("publishing to " + group, () -> lastAck.containsKey(group), Duration.ofSeconds(10));
      Promise<Long> position = Promise.promise();
      WebSocket ws = client.connect(joiner.port(), "127.0.0.1", "/ws").await(10, TimeUnit.SECONDS);
      ws.textMessageHandler(text -> {
        JsonObject frame = new JsonObject(text);
        if ("subscribed".equals(frame.getString("type"))) {
          position.tryComplete(frame.getLong("offset"));
        } else if ("message".equals(frame.getString("type"))) {
          subscriber.received(frame);
        }
      });
      ws.writeTextMessage(new JsonObject().put("type", "subscribe").put("group", group).put("id", 1).encode());
      long from = position.future().await(10, TimeUnit.SECONDS);
      until("300 publishes after the join", () -> sent.get() > 300 && subscriber.last() > from + 100,
        Duration.ofSeconds(20));
      cluster.vertx.cancelTimer(timer);
      long sentAll = sent.get();
      until("every publish of " + group + " acknowledged", () -> lastAck.get(group) >= sentAll,
        Duration.ofSeconds(20));
      long top = lastAck.get(group);
      until("the subscriber at " + top, () -> subscriber.last() >= top, Duration.ofSeconds(20));
      synchronized (subscriber) {
        assertThat(subscriber.offsets).as("round %d: subscribed at %d", round, from)
          .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(from + 1, top).boxed().toList());
      }
      ws.close();
    }
    JsonObject stats = cluster.get(joiner, "/api/stats").bodyAsJsonObject();
    log.info("joining gateway: streamReads={} streamLost={}", stats.getLong("streamReads"), stats.getLong("streamLost"));
    finished = true;
  }

  /**
   * Gateways are Hazelcast lite members: they hold no partition of any map, so two of three
   * killed together (kill -9, no time for Hazelcast to copy anything) lose no stream history, no
   * chat history and no offset. The two chat processes hold the data.
   */
  @Test
  void killingTwoOfThreeGatewaysAtOnceLosesNoHistory() throws Exception {
    cluster = new TestCluster("stream-lite");
    cluster.chat("chat-1");
    cluster.chat("chat-2");
    Map<String, String> env = Map.of("SWITCHBOARD_GROUPS", RULES, "SWITCHBOARD_API_KEY", API_KEY);
    TestCluster.Gateway survivor = cluster.gateway("gateway-1", env);
    TestCluster.Gateway two = cluster.gateway("gateway-2", env);
    TestCluster.Gateway three = cluster.gateway("gateway-3", env);
    var members = cluster.hazelcastClient().getCluster().getMembers();
    assertThat(members.stream().filter(com.hazelcast.cluster.Member::isLiteMember).count())
      .as("the three gateways are lite members, the two chat processes hold the data: %s", members).isEqualTo(3);

    for (int n = 1; n <= 60; n++) {
      TestCluster.Gateway target = n % 2 == 0 ? two : three;
      var stream = cluster.post(target, "/api/groups/" + GROUP + "/messages", "{\"data\":" + n + "}", API_KEY);
      assertThat(stream.bodyAsJsonObject().getLong("offset")).isEqualTo(n);
      var chat = cluster.post(target, "/api/groups/chat.kept/messages", "{\"data\":\"m" + n + "\"}", API_KEY);
      assertThat(chat.bodyAsJsonObject().getLong("offset")).isEqualTo(n);
    }
    // Both at once: neither process gets to leave the cluster.
    two.process().destroyNow();
    three.process().destroyNow();
    two.process().kill();
    three.process().kill();

    assertThat(cluster.get(survivor, "/rooms/kept/messages").bodyAsJsonArray()).hasSize(60);
    WebSocket ws = cluster.vertx.createWebSocketClient().connect(survivor.port(), "127.0.0.1", "/ws")
      .await(10, TimeUnit.SECONDS);
    List<JsonObject> frames = java.util.Collections.synchronizedList(new ArrayList<>());
    ws.textMessageHandler(text -> frames.add(new JsonObject(text)));
    ws.writeTextMessage(new JsonObject().put("type", "subscribe").put("group", GROUP).put("since", 0).put("id", 1).encode());
    until("the stream replayed", () -> frames.size() >= 61, Duration.ofSeconds(20));
    assertThat(frames.get(0).getString("type")).isEqualTo("subscribed");
    assertThat(frames.get(0).getBoolean("recovered")).isTrue();
    assertThat(frames.subList(1, 61)).extracting(f -> f.getLong("offset"))
      .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 60).boxed().toList());
    var next = cluster.post(survivor, "/api/groups/" + GROUP + "/messages", "{\"data\":61}", API_KEY);
    assertThat(next.bodyAsJsonObject().getLong("offset")).as("the numbering goes on").isEqualTo(61L);
    assertThat(next.bodyAsJsonObject().getString("epoch")).isEqualTo(frames.get(1).getString("epoch"));
    finished = true;
  }

  /** Polls the condition every 20 ms until it holds, failing after the timeout. */
  private void until(String what, java.util.function.BooleanSupplier condition, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for %s", what).isLessThan(deadline);
      cluster.vertx.timer(20).await(5, TimeUnit.SECONDS);
    }
  }

  private static Future<?> publish(WebClient http, TestCluster.Gateway gateway, String payload, Map<Long, String> acked,
                                   AtomicInteger unknown, AtomicInteger duplicateAcks, AtomicInteger refused) {
    return http.post(gateway.port(), "127.0.0.1", "/api/groups/" + GROUP + "/messages")
      .putHeader("Authorization", "Bearer " + API_KEY)
      .timeout(Duration.ofSeconds(60).toMillis())
      .sendBuffer(Buffer.buffer("{\"data\":" + payload + "}"))
      .onSuccess(response -> {
        if (response.statusCode() == 202) {
          if (acked.putIfAbsent(response.bodyAsJsonObject().getLong("offset"), payload) != null) {
            duplicateAcks.incrementAndGet();
          }
        } else {
          log.warn("publish {} refused: {} {}", payload, response.statusCode(), response.bodyAsString());
          refused.incrementAndGet();
        }
      })
      .onFailure(e -> unknown.incrementAndGet())
      .otherwiseEmpty();
  }
}
