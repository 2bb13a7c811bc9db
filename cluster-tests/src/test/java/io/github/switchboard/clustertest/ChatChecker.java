package io.github.switchboard.clustertest;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An independent checker of one chat room under faults: publishers through every gateway (one
 * HTTP publish every 50 ms each, every payload unique), subscribers on {@code /ws} that move to
 * the next gateway when theirs closes and recover with {@code since}, and at the end the checks,
 * from nothing but what the gateways acknowledged and delivered and the room's final history:
 * every acknowledged message is in the history once, at the seq it was acknowledged with; no seq
 * was acknowledged twice; the history's seqs only go up; one epoch throughout; every subscriber
 * received seqs in order, none twice, and every acknowledged one after its first position, with
 * its payload.
 */
final class ChatChecker {

  private static final Logger log = LoggerFactory.getLogger(ChatChecker.class);
  static final String ROOM = "split";
  static final String GROUP = "chat." + ROOM;

  private final TestCluster cluster;
  private final String apiKey;
  private final List<TestCluster.Gateway> gateways;
  private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
  private volatile boolean publishing = true;
  private final WebClient http;
  private final WebSocketClient sockets;
  /** seq -> payload of every acknowledged publish. */
  private final Map<Long, String> acked = new ConcurrentHashMap<>();
  private final AtomicInteger duplicateAcks = new AtomicInteger();
  private final Map<TestCluster.Gateway, AtomicInteger> ackedBy = new ConcurrentHashMap<>();
  private final AtomicInteger counter = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Set<String> epochs = ConcurrentHashMap.newKeySet();
  private final List<Integer> closeCodes = new ArrayList<>();

  ChatChecker(TestCluster cluster, String apiKey, List<TestCluster.Gateway> gateways) {
    this.cluster = cluster;
    this.apiKey = apiKey;
    this.gateways = gateways;
    this.http = WebClient.create(cluster.vertx);
    this.sockets = cluster.vertx.createWebSocketClient(new WebSocketClientOptions());
    gateways.forEach(g -> ackedBy.put(g, new AtomicInteger()));
  }

  int ackedThrough(TestCluster.Gateway gateway) {
    return ackedBy.get(gateway).get();
  }

  synchronized List<Integer> closeCodes() {
    return new ArrayList<>(closeCodes);
  }

  boolean everySubscriberOn(TestCluster.Gateway gateway) {
    return subscribers.stream().allMatch(s -> s.on == gateway && s.socket != null);
  }

  /** One publish every 50 ms through the gateway, each with a payload of its own, until the end. */
  void publishThrough(TestCluster.Gateway gateway) {
    cluster.vertx.setTimer(50, id -> {
      if (!publishing) {
        return;
      }
      String payload = gateway.host() + "#" + counter.incrementAndGet();
      inFlight.incrementAndGet();
      http.post(gateway.port(), gateway.host(), "/api/groups/" + GROUP + "/messages")
        .putHeader("Authorization", "Bearer " + apiKey).timeout(20_000)
        .sendBuffer(Buffer.buffer(new JsonObject().put("data", payload).encode()))
        .onComplete(ar -> {
          inFlight.decrementAndGet();
          if (ar.succeeded() && ar.result().statusCode() == 202) {
            JsonObject ack = ar.result().bodyAsJsonObject();
            epochs.add(ack.getString("epoch"));
            if (acked.putIfAbsent(ack.getLong("seq"), payload) != null) {
              duplicateAcks.incrementAndGet();
            }
            ackedBy.get(gateway).incrementAndGet();
          } else if (ar.succeeded()) {
            log.debug("publish {} not acknowledged: {} {}", payload, ar.result().statusCode(), ar.result().bodyAsString());
          }
          publishThrough(gateway);
        });
    });
  }

  void subscribe(TestCluster.Gateway gateway, int count) throws Exception {
    List<Future<Void>> opened = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Subscriber subscriber = new Subscriber(subscribers.size());
      subscribers.add(subscriber);
      opened.add(connect(subscriber, gateway));
    }
    Future.all(opened).await(30, TimeUnit.SECONDS);
  }

  /** Connects and subscribes (with {@code since} once it has a position); on a close, moves to another gateway. */
  private Future<Void> connect(Subscriber subscriber, TestCluster.Gateway gateway) {
    Promise<Void> subscribed = Promise.promise();
    cluster.vertx.runOnContext(v -> sockets.connect(new WebSocketConnectOptions().setHost(gateway.host())
      .setPort(gateway.port()).setURI("/ws")).onComplete(ar -> {
        if (ar.failed()) {
          subscribed.tryFail(ar.cause());
          retry(subscriber, gateway);
          return;
        }
        WebSocket ws = ar.result();
        ws.textMessageHandler(text -> {
          JsonObject frame = new JsonObject(text);
          switch (frame.getString("type")) {
            case "message" -> subscriber.received(frame);
            case "subscribed" -> {
              subscriber.subscribed(frame);
              subscriber.on = gateway;
              subscriber.socket = ws;
              subscribed.tryComplete();
            }
            default -> log.info("subscriber {} got {}", subscriber.index, text);
          }
        });
        ws.closeHandler(closed -> {
          synchronized (this) {
            closeCodes.add((int) (ws.closeStatusCode() == null ? -1 : ws.closeStatusCode()));
          }
          subscriber.socket = null;
          retry(subscriber, gateway);
        });
        JsonObject request = new JsonObject().put("type", "subscribe").put("group", GROUP).put("id", 1);
        JsonObject since = subscriber.since();
        if (since != null) {
          request.put("since", since);
        }
        ws.writeTextMessage(request.encode());
      }));
    return subscribed.future();
  }

  /** The next gateway after {@code from}, as a client with a list of gateways would do. */
  private void retry(Subscriber subscriber, TestCluster.Gateway from) {
    if (!publishing && subscriber.finished) {
      return;
    }
    TestCluster.Gateway next = gateways.get((gateways.indexOf(from) + 1) % gateways.size());
    cluster.vertx.setTimer(200, id -> connect(subscriber, next));
  }

  /** Acknowledged messages a subscriber missed in a range its resubscribe announced with recovered:false. */
  long gapsAnnounced;

  /** Messages acknowledged, every gateway together. */
  int acked() {
    return acked.size();
  }

  /** Stops publishing (at the end of a test, also when it failed). */
  void stop() {
    publishing = false;
  }

  /**
   * The room's history as the second gateway answers it. A read is safe to repeat, and just
   * after a heal or a thaw the store may refuse it for a moment (503 while a merged member hands
   * its data over, 504 while the chat service is busy with the merge): asked again until it
   * answers 200, each refusal logged, for at most 30 s. One gateway on purpose: CI once saw a
   * gateway refuse every read for over a minute after a thaw while the other served (its
   * Hazelcast calls lost on a connection it had closed, see PartitionTest's deaf-gateway case);
   * a gateway that cannot serve for longer than that is a finding, not something to read around.
   */
  private JsonArray history() throws Exception {
    JsonArray[] read = new JsonArray[1];
    TestCluster.Gateway gateway = gateways.get(1);
    Waits.until(cluster, "the room's history read through " + gateway.process().name(), () -> {
      var response = cluster.get(gateway, "/rooms/" + ROOM + "/messages");
      if (response.statusCode() == 200) {
        read[0] = response.bodyAsJsonArray();
        return true;
      }
      log.warn("checker: history read through {} answered {} {}", gateway.process().name(), response.statusCode(),
        response.bodyAsString());
      return false;
    }, Duration.ofSeconds(30));
    return read[0];
  }

  /** Stops publishing and checks everything acknowledged against the history and every subscriber. */
  void finish() throws Exception {
    publishing = false;
    Waits.until(cluster, "every publish answered", () -> inFlight.get() == 0, Duration.ofSeconds(30));
    long top = acked.keySet().stream().mapToLong(Long::longValue).max().orElse(0);
    List<String> problems = new ArrayList<>();
    try {
      Waits.until(cluster, "every subscriber at the last acknowledged seq " + top,
        () -> subscribers.stream().allMatch(s -> s.last() >= top), Duration.ofSeconds(30));
    } catch (AssertionError e) {
      // Named, then the other checks still run: a subscriber left behind is not the same
      // failure as a message lost from the history.
      problems.add("subscribers behind the last acknowledged seq " + top + ": " + subscribers.stream()
        .filter(s -> s.last() < top).map(Subscriber::describe).toList());
    }
    subscribers.forEach(s -> s.finished = true);

    JsonArray history = history();
    TreeMap<Long, String> stored = new TreeMap<>();
    List<Long> order = new ArrayList<>();
    Set<String> storedPayloads = new HashSet<>();
    int repeatedPayloads = 0;
    for (Object item : history) {
      JsonObject message = (JsonObject) item;
      long seq = message.getLong("seq");
      order.add(seq);
      stored.put(seq, String.valueOf(message.getValue("message")));
      if (!storedPayloads.add(String.valueOf(message.getValue("message")))) {
        repeatedPayloads++;
      }
    }
    log.info("checker: {} acknowledged (top seq {}), {} in the history, {} subscribers, close codes {}",
      acked.size(), top, stored.size(), subscribers.size(), closeCodes());
    long announcedMissing = 0;
    check(problems, duplicateAcks.get() == 0, "two publishes acknowledged with one seq: " + duplicateAcks.get());
    check(problems, epochs.size() == 1, "the room's epochs: " + epochs);
    check(problems, order.equals(new ArrayList<>(new TreeMap<>(stored).keySet())) && order.size() == stored.size(),
      "history seqs not in order or repeated");
    check(problems, repeatedPayloads == 0, "messages stored twice: " + repeatedPayloads);
    List<Long> missing = acked.entrySet().stream().filter(e -> !e.getValue().equals(stored.get(e.getKey())))
      .map(Map.Entry::getKey).sorted().toList();
    check(problems, missing.isEmpty(), "acknowledged seqs not in the final history with their payload: " + missing);
    for (Subscriber subscriber : subscribers) {
      synchronized (subscriber) {
        List<Long> sorted = new ArrayList<>(subscriber.offsets);
        sorted.sort(Long::compare);
        check(problems, sorted.equals(subscriber.offsets) && new HashSet<>(sorted).size() == sorted.size(),
          "subscriber " + subscriber.index + ": seqs out of order or twice");
        long from = subscriber.firstPosition;
        List<Long> notReceived = acked.entrySet().stream()
          .filter(e -> e.getKey() > from && !e.getValue().equals(subscriber.payloads.get(e.getKey())))
          .map(Map.Entry::getKey).filter(seq -> !subscriber.announced(seq)).sorted().toList();
        announcedMissing += acked.keySet().stream()
          .filter(seq -> seq > from && !subscriber.payloads.containsKey(seq) && subscriber.announced(seq)).count();
        check(problems, notReceived.isEmpty(), "subscriber " + subscriber.index + " lacks acknowledged seqs "
          + (notReceived.size() > 20 ? notReceived.subList(0, 20) + "... (" + notReceived.size() + ")" : notReceived));
      }
    }
    gapsAnnounced = announcedMissing;
    log.info("checker: {} acknowledged messages not replayed to a subscriber whose resubscribe said recovered:false",
      announcedMissing);
    http.close();
    sockets.close();
    assertThat(problems).as("checker").isEmpty();
  }

  private static void check(List<String> problems, boolean ok, String problem) {
    if (!ok) {
      problems.add(problem);
    }
  }


  /** What one subscriber received: seqs in arrival order and their payloads. */
  private static final class Subscriber {
    final int index;
    final List<Long> offsets = new ArrayList<>();
    final Map<Long, String> payloads = new HashMap<>();
    volatile TestCluster.Gateway on;
    volatile WebSocket socket;
    volatile boolean finished;
    long firstPosition = -1;
    String epoch;
    /**
     * Ranges (after, upTo] a resubscribe answered with {@code "recovered":false}: the gateway said
     * it could not replay them (docs/protocol.md, "Recovery with since"), so a client knows to read
     * them elsewhere. Acknowledged seqs there are counted apart, not as silent losses.
     */
    final List<long[]> announcedGaps = new ArrayList<>();

    Subscriber(int index) {
      this.index = index;
    }

    synchronized void subscribed(JsonObject frame) {
      if (firstPosition < 0) {
        firstPosition = frame.getLong("offset", 0L);
      } else if (Boolean.FALSE.equals(frame.getBoolean("recovered"))) {
        announcedGaps.add(new long[] {last(), frame.getLong("offset", Long.MAX_VALUE)});
      }
      if (epoch == null) {
        epoch = frame.getString("epoch");
      }
    }

    synchronized void received(JsonObject message) {
      long seq = message.getLong("seq");
      offsets.add(seq);
      payloads.put(seq, String.valueOf(((JsonObject) message.getValue("data")).getValue("message")));
      epoch = message.getString("epoch");
    }

    synchronized JsonObject since() {
      if (offsets.isEmpty() && firstPosition < 0) {
        return null;
      }
      long last = offsets.isEmpty() ? firstPosition : offsets.get(offsets.size() - 1);
      return new JsonObject().put("offset", last).put("epoch", epoch);
    }

    synchronized String describe() {
      return "#" + index + " at " + last() + " on " + (on == null ? "none" : on.host()) + (socket == null ? " (closed)" : "")
        + ", first position " + firstPosition;
    }

    synchronized boolean announced(long seq) {
      return announcedGaps.stream().anyMatch(gap -> seq > gap[0] && seq <= gap[1]);
    }

    synchronized long last() {
      return offsets.isEmpty() ? Math.max(0, firstPosition) : offsets.get(offsets.size() - 1);
    }
  }
}
