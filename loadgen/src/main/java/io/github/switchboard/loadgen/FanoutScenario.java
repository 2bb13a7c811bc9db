package io.github.switchboard.loadgen;

import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code fanout} (over {@code /ws}: S sockets subscribe to one group, a publisher socket
 * publishes to it) and {@code hub} (over {@code /ws/hub}: S sockets listen, one more socket
 * sends, the server relays to every other hub socket). The publisher sends at R messages a
 * second on a fixed-rate schedule for a warm-up and then D measured seconds. Each message
 * carries its send time as epoch microseconds ({@code "t"}) and its number ({@code "n"}); every
 * receiver reads the clock when the frame arrives (same machine, same clock), so the latency is
 * publisher write to subscriber read, through the server.
 */
final class FanoutScenario {

  /** A run whose last delivery comes later than this after the last send did not keep up. */
  static final double MAX_BACKLOG_SECONDS = 1.0;

  private FanoutScenario() {
  }

  /**
   * A feed-like JSON object of about {@code bytes} bytes, as a live-score or market feed sends:
   * events with ids, names, scores and minutes that change with {@code n}, so that no two
   * messages are the same and the compressor sees ordinary JSON, not one repeated letter.
   */
  static String feed(long t, long n, int bytes) {
    StringBuilder sb = new StringBuilder(bytes + 200).append("{\"t\":").append(t).append(",\"n\":").append(n)
      .append(",\"events\":[");
    String[] teams = {"Lions", "Eagles", "Sharks", "Wolves", "Tigers", "Falcons", "Bears", "Hawks", "Rovers", "United"};
    for (int i = 0; sb.length() < bytes - 2; i++) {
      if (i > 0) {
        sb.append(',');
      }
      long k = n * 31 + i * 7;
      sb.append("{\"id\":\"EVT-").append(1000 + i).append("\",\"home\":\"").append(teams[i % teams.length])
        .append("\",\"away\":\"").append(teams[(i + 3) % teams.length]).append("\",\"score\":[")
        .append(k % 5).append(',').append((k / 5) % 4).append("],\"minute\":").append((k % 90) + 1)
        .append(",\"status\":\"").append(k % 11 == 0 ? "halftime" : "live").append("\",\"odds\":")
        .append(1 + (k % 97) / 10.0).append('}');
    }
    return sb.append("]}").toString();
  }

  private static void awaitDelivered(LongAdder delivered, long expected, double quietSeconds) {
    long seen = delivered.sum();
    long lastProgress = System.nanoTime();
    while (seen < expected && System.nanoTime() - lastProgress < quietSeconds * 1e9) {
      LockSupport.parkNanos(20_000_000);
      long now = delivered.sum();
      if (now != seen) {
        seen = now;
        lastProgress = System.nanoTime();
      }
    }
  }

  private static final String CHAT_T = "\"message\":\"t=";

  static JsonObject run(Options o, Targets targets, ServerProbe server, boolean hub) throws InterruptedException {
    int subscribers = o.integer("subscribers", hub ? 200 : 1000);
    double rate = o.number("rate", 50);
    double duration = o.number("duration", 10);
    double warmup = o.number("warmup", 3);
    int payloadBytes = o.integer("payload-bytes", 100);
    String group = o.string("group", "bench");
    double drain = o.number("drain", 5);
    // --endpoint chat: a chat room (/ws/chat/<group>) instead of a /ws group: every message
    // goes through the chat service, which numbers and stores it before it is published. The
    // timestamp travels in the text ("t=<micros> n=<n>"), the only field a sender chooses.
    boolean chat = !hub && o.string("endpoint", "ws").equals("chat");
    String path = hub ? "/ws/hub" : chat ? "/ws/chat/" + group + "?welcome=1" : "/ws";
    CpuWindow cpu = new CpuWindow(server, o.number("clk-tck", 100));

    // The warm-up may run at its own rate: a trickle measured on a cold JIT measures the
    // interpreter (a fresh gateway at 5 msg/s x 20 had p50 3.2-3.4 ms after 10 s, 1.6 ms after 120 s).
    double warmupRate = o.number("warmup-rate", rate);
    if (!(rate > 0) || !(warmupRate > 0)) {
      throw new IllegalArgumentException("--rate and --warmup-rate must be above 0");
    }
    long warmupCount = FixedRateSchedule.count(warmupRate, warmup);
    long measuredCount = FixedRateSchedule.count(rate, duration);

    LatencyRecorder latency = new LatencyRecorder();
    AtomicLongArray received = new AtomicLongArray(subscribers);
    LongAdder warmupReceived = new LongAdder();
    LongAdder otherFrames = new LongAdder();
    Map<String, Integer> errors = new ConcurrentHashMap<>();
    CountDownLatch subscribed = new CountDownLatch(subscribers);
    AtomicLong lastDelivery = new AtomicLong();

    System.out.printf("%s: opening %d receivers on %s%n", hub ? "hub" : "fanout", subscribers, path);
    Connector receivers = Connector.open(targets, subscribers, path, o.number("connect-rate", 2000), (i, ws) -> {
      ws.exceptionHandler(e -> { });
      ws.textMessageHandler(text -> {
        long t = chat ? Fields.longAfter(text, CHAT_T, 0) : Fields.longField(text, "t");
        if (t == Fields.ABSENT) {
          if (text.contains("\"subscribed\"") || (chat && text.contains("\"welcome\""))) {
            subscribed.countDown();
          } else if (text.contains("\"error\"")) {
            errors.merge(String.valueOf(Fields.stringField(text, "code")), 1, Integer::sum);
          } else {
            otherFrames.increment();
          }
          return;
        }
        long now = epochMicros();
        long n = chat ? Fields.longAfter(text, " n=", 0) : Fields.longField(text, "n");
        if (n >= warmupCount) {
          latency.recordMicros(now - t);
          received.incrementAndGet(i);
          lastDelivery.set(System.nanoTime());
        } else {
          warmupReceived.increment();
        }
      });
      if (hub) {
        subscribed.countDown();
      } else if (chat) {
        // In the room once its welcome frame came (sent once the room's consumer is registered).
      } else {
        ws.writeTextMessage("{\"type\":\"subscribe\",\"group\":\"" + group + "\",\"id\":\"s" + i + "\"}");
      }
    });
    if (!subscribed.await(60, TimeUnit.SECONDS)) {
      System.err.println("only " + (subscribers - subscribed.getCount()) + " of " + subscribers + " subscribed");
    }
    long ready = subscribers - subscribed.getCount();
    System.out.printf("%s: %d receivers open, %d subscribed; publishing %.0f msg/s for %.0f s warm-up, then %.0f msg/s for %.0f s%n",
      hub ? "hub" : "fanout", receivers.opened(), ready, warmupRate, warmup, rate, duration);

    // The publisher: its own socket, on the first server.
    Connector pub = Connector.open(targets, 1, path, 1, (i, ws) -> {
      ws.exceptionHandler(e -> { });
      ws.textMessageHandler(text -> {
        if (text.contains("\"ack\"")) {
          return;
        }
        if (text.contains("\"error\"")) {
          errors.merge("publisher:" + Fields.stringField(text, "code"), 1, Integer::sum);
        }
      });
    });
    WebSocket publisher = pub.socket(0);
    if (publisher == null) {
      throw new IllegalStateException("publisher could not connect: " + pub.json().encode());
    }
    // The server's CPU with every socket open and nothing sent: its background (timers,
    // cluster heartbeats, GC), which the per-delivery figure below includes.
    double idleSeconds = o.number("idle", 2);
    JsonObject idle = null;
    if (idleSeconds > 0) {
      CpuWindow idleCpu = new CpuWindow(server, o.number("clk-tck", 100));
      idleCpu.start();
      Thread.sleep((long) (idleSeconds * 1000));
      idleCpu.stop();
      idle = idleCpu.json(0, "");
    } else {
      Thread.sleep(200);
    }

    boolean json = o.string("payload", "padding").equals("json");
    String padding = "x".repeat(Math.max(0, payloadBytes - 40));
    LatencyRecorder sendLag = new LatencyRecorder();
    AtomicLong lastSend = new AtomicLong();
    FixedRateSchedule.Action send = (n, due) -> {
      if (n == warmupCount) {
        cpu.start();
      }
      long lag = System.nanoTime() - due;
      long t = epochMicros();
      String data = json ? feed(t, n, payloadBytes) : "{\"t\":" + t + ",\"n\":" + n + ",\"p\":\"" + padding + "\"}";
      publisher.writeTextMessage(hub ? data : chat ? "{\"message\":\"t=" + t + " n=" + n + "\"}"
        : "{\"type\":\"publish\",\"group\":\"" + group + "\",\"id\":" + n + ",\"data\":" + data + "}");
      if (n >= warmupCount) {
        sendLag.recordMicros(lag / 1000);
      }
      lastSend.set(System.nanoTime());
    };
    // Warm-up, then the measured messages on a schedule of their own (the rates may differ);
    // messages are numbered on across both, the receivers count from warmupCount on.
    FixedRateSchedule warming = new FixedRateSchedule(System.nanoTime() + 10_000_000, warmupRate);
    FixedRateSchedule[] measured = new FixedRateSchedule[1];
    long warmupExpected = warmupCount * ready;
    Thread sender = new Thread(() -> {
      warming.run(warmupCount, send);
      // A warm-up faster than the measured rate may leave a backlog (a clustered chat room
      // drained 500 msg/s for 13 s after a 10 s warm-up): measure only once it has arrived, or
      // once nothing moved for `drain` seconds.
      awaitDelivered(warmupReceived, warmupExpected, drain);
      measured[0] = new FixedRateSchedule(System.nanoTime() + (long) (1e9 / rate), rate);
      measured[0].run(measuredCount, (k, due) -> send.run(warmupCount + k, due));
    }, "loadgen-publisher");
    sender.start();
    sender.join();
    FixedRateSchedule schedule = measured[0];

    // Wait for the last deliveries: until all expected arrived, or nothing moved for `drain` s.
    long expected = measuredCount * ready;
    long got = sum(received);
    long lastProgress = System.nanoTime();
    while (got < expected && System.nanoTime() - lastProgress < drain * 1e9) {
      Thread.sleep(20);
      long now = sum(received);
      if (now != got) {
        got = now;
        lastProgress = System.nanoTime();
      }
    }
    cpu.stop();
    long delivered = sum(received);
    long duplicates = 0;
    long short_ = 0;
    for (int i = 0; i < subscribers; i++) {
      long r = received.get(i);
      duplicates += Math.max(0, r - measuredCount);
      if (receivers.socket(i) != null) {
        short_ += Math.max(0, measuredCount - r);
      }
    }
    long firstDue = schedule.dueAt(0);
    double sendSeconds = (lastSend.get() - firstDue) / 1e9;
    // How long after the last send the last delivery arrived: a server that keeps up delivers
    // within milliseconds; one that falls behind builds a backlog and this grows with the run.
    double backlogSeconds = delivered == 0 ? -1 : Math.max(0, (lastDelivery.get() - lastSend.get()) / 1e9);
    double deliverySeconds = delivered == 0 ? 0 : (lastDelivery.get() - firstDue) / 1e9;
    JsonObject result = new JsonObject()
      .put("endpoint", path)
      .put("receivers", receivers.json().put("ready", ready))
      .put("offeredRate", rate)
      .put("warmupRate", warmupRate)
      .put("measuredSeconds", duration)
      .put("warmupSeconds", warmup)
      .put("payloadBytes", Math.max(40, payloadBytes))
      .put("payload", json ? "json" : "padding")
      .put("deflateOffered", o.bool("deflate", false))
      .put("published", measuredCount)
      .put("sendSeconds", CpuWindow.round3(sendSeconds))
      .put("sendLag", sendLag.summary())
      .put("expectedDeliveries", expected)
      .put("deliveries", delivered)
      .put("deliveriesPerSecond", deliverySeconds <= 0 ? 0 : Math.round(delivered / Math.max(duration, deliverySeconds)))
      .put("backlogSeconds", CpuWindow.round3(backlogSeconds))
      .put("lost", short_)
      .put("lossRatio", expected == 0 ? 0 : CpuWindow.round3(1e3 * short_ / expected) / 1e3)
      .put("duplicates", duplicates)
      .put("warmupDeliveries", warmupReceived.sum())
      .put("latency", latency.summary())
      .put("cpu", cpu.json(delivered, "Delivery"));
    if (idle != null) {
      result.put("idleCpu", idle);
    }
    if (!errors.isEmpty()) {
      result.put("errors", new JsonObject(Map.copyOf(errors)));
    }
    if (otherFrames.sum() > 0) {
      result.put("otherFrames", otherFrames.sum());
    }
    // "Sustained": nearly every delivery arrived, the publisher kept its schedule, and the
    // server kept up (no backlog: the last delivery came within a second of the last send).
    boolean sustained = expected > 0 && short_ <= expected / 1000 && sendSeconds <= duration * 1.05 + 0.1
      && backlogSeconds >= 0 && backlogSeconds <= MAX_BACKLOG_SECONDS;
    result.put("sustained", sustained);
    publisher.close();
    receivers.closeAll();
    return result;
  }

  static long epochMicros() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
  }

  private static long sum(AtomicLongArray a) {
    long s = 0;
    for (int i = 0; i < a.length(); i++) {
      s += a.get(i);
    }
    return s;
  }

  static String describe(JsonObject r) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("  receivers   %d ready of %d%n", r.getJsonObject("receivers").getLong("ready"),
      r.getJsonObject("receivers").getInteger("requested")));
    sb.append(String.format("  published   %d at %.0f/s in %.2f s (send lag %s)%n", r.getLong("published"),
      r.getDouble("offeredRate"), r.getDouble("sendSeconds"), LatencyRecorder.describe(r.getJsonObject("sendLag"))));
    sb.append(String.format("  delivered   %d of %d (%d/s), lost %d, duplicates %d, backlog %.2f s, sustained %s%n",
      r.getLong("deliveries"), r.getLong("expectedDeliveries"), r.getLong("deliveriesPerSecond"), r.getLong("lost"),
      r.getLong("duplicates"), r.getDouble("backlogSeconds"), r.getBoolean("sustained")));
    sb.append("  latency     ").append(LatencyRecorder.describe(r.getJsonObject("latency"))).append('\n');
    sb.append("  cpu         ").append(r.getJsonObject("cpu").encode()).append('\n');
    if (r.containsKey("errors")) {
      sb.append("  errors      ").append(r.getJsonObject("errors").encode()).append('\n');
    }
    return sb.toString();
  }
}
