package io.github.switchboard.loadgen;

import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code sequence}: how many publishes a second the cluster numbers and stores. K publisher
 * sockets on {@code /ws} (spread over the servers) each keep W publishes in flight to G stream
 * groups ({@code <group>-0} .. {@code <group>-(G-1)}, taken in turn) and send the next one when
 * an ack comes back (closed loop): every ack means a message numbered and stored, so acks per
 * second is the sequencing throughput. Nobody subscribes: fan-out is not part of the figure.
 */
final class SequenceScenario {

  private SequenceScenario() {
  }

  static JsonObject run(Options o, Targets targets, ServerProbe server) throws InterruptedException {
    int sockets = Math.max(1, o.integer("sockets", 20));
    int window = Math.max(1, o.integer("in-flight", 8));
    int groups = Math.max(1, o.integer("groups", 100));
    String prefix = o.string("group", "stream.seq");
    double duration = o.number("duration", 10);
    double warmup = o.number("warmup", 5);
    CpuWindow cpu = new CpuWindow(server, o.number("clk-tck", 100));
    LatencyRecorder latency = new LatencyRecorder();
    java.util.concurrent.atomic.AtomicBoolean measuring = new java.util.concurrent.atomic.AtomicBoolean();
    LongAdder acks = new LongAdder();
    LongAdder errors = new LongAdder();
    Publisher[] publishers = new Publisher[sockets];
    Connector c = Connector.open(targets, sockets, "/ws", 1000,
      (i, ws) -> publishers[i] = new Publisher(ws, prefix, groups, i, latency, measuring, acks, errors));
    if (c.opened() < sockets) {
      throw new IllegalStateException("sequence: only " + c.opened() + " of " + sockets + " sockets opened: " + c.json().encode());
    }
    System.out.printf("sequence: %d sockets x %d in flight to %d groups, %.0f s warm-up + %.0f s%n", sockets, window, groups,
      warmup, duration);
    for (Publisher p : publishers) {
      p.start(window);
    }
    TimeUnit.MILLISECONDS.sleep((long) (warmup * 1000));
    measuring.set(true);
    long ackedBefore = acks.sum();
    long errorsBefore = errors.sum();
    cpu.start();
    long t0 = System.nanoTime();
    TimeUnit.MILLISECONDS.sleep((long) (duration * 1000));
    double seconds = (System.nanoTime() - t0) / 1e9;
    long acked = acks.sum() - ackedBefore;
    cpu.stop();
    CountDownLatch stopped = new CountDownLatch(sockets);
    for (Publisher p : publishers) {
      p.stop(stopped);
    }
    stopped.await(30, TimeUnit.SECONDS);
    JsonObject result = new JsonObject()
      .put("sockets", sockets)
      .put("inFlight", window)
      .put("groups", groups)
      .put("seconds", CpuWindow.round3(seconds))
      .put("acked", acked)
      .put("publishesPerSecond", Math.round(acked / seconds))
      .put("latency", latency.summary())
      .put("errors", errors.sum() - errorsBefore)
      .put("cpu", cpu.json(acked, "Publish"));
    c.closeAll();
    return result;
  }

  /** One socket's closed loop: W publishes out, one more per ack, until stopped. */
  private static final class Publisher {
    private final WebSocket ws;
    private final String prefix;
    private final int groups;
    private final LatencyRecorder latency;
    private final java.util.concurrent.atomic.AtomicBoolean measuring;
    private final LongAdder acks;
    private final LongAdder errors;
    private final java.util.Map<Long, Long> sentAt = new java.util.HashMap<>();
    private long next;
    private int group;
    private volatile boolean stopping;
    private volatile CountDownLatch stopped;

    Publisher(WebSocket ws, String prefix, int groups, int index, LatencyRecorder latency,
              java.util.concurrent.atomic.AtomicBoolean measuring, LongAdder acks, LongAdder errors) {
      this.measuring = measuring;
      this.ws = ws;
      this.prefix = prefix;
      this.groups = groups;
      this.group = index % groups;
      this.latency = latency;
      this.acks = acks;
      this.errors = errors;
      ws.exceptionHandler(e -> { });
      ws.textMessageHandler(this::onFrame);
    }

    void start(int window) {
      // On the socket's own event loop, where the acks arrive.
      for (int i = 0; i < window; i++) {
        send();
      }
    }

    void stop(CountDownLatch latch) {
      stopped = latch;
      stopping = true;
      if (sentAt.isEmpty()) {
        latch.countDown();
      }
    }

    private void send() {
      long id = next++;
      String target = prefix + "-" + group;
      group = (group + 1) % groups;
      sentAt.put(id, System.nanoTime());
      ws.writeTextMessage("{\"type\":\"publish\",\"group\":\"" + target + "\",\"id\":" + id + ",\"data\":{\"n\":" + id + "}}");
    }

    private void onFrame(String text) {
      long id = Fields.longField(text, "id");
      Long at = id == Fields.ABSENT ? null : sentAt.remove(id);
      if (at == null) {
        return;
      }
      if (text.contains("\"ack\"")) {
        acks.increment();
        if (measuring.get()) {
          latency.recordMicros((System.nanoTime() - at) / 1000);
        }
      } else {
        errors.increment();
      }
      if (!stopping) {
        send();
      } else if (sentAt.isEmpty() && stopped != null) {
        stopped.countDown();
      }
    }
  }

  static String describe(JsonObject r) {
    return String.format("  publishes   %d acked in %.2f s (%d/s) by %d sockets x %d in flight to %d groups, %d errors%n"
        + "  latency     %s%n  cpu         %s%n",
      r.getLong("acked"), r.getDouble("seconds"), r.getLong("publishesPerSecond"), r.getInteger("sockets"),
      r.getInteger("inFlight"), r.getInteger("groups"), r.getLong("errors"),
      LatencyRecorder.describe(r.getJsonObject("latency")), r.getJsonObject("cpu").encode());
  }
}
