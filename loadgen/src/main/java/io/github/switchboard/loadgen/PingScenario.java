package io.github.switchboard.loadgen;

import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code ping}: request/response round trips on {@code /ws}. Each socket sends
 * {@code {"type":"ping","id":k}} and the next one as soon as the pong arrives (closed loop), so
 * the figure is the round trip through the server with nothing queued ahead of it. Warm-up
 * round trips come first and are not recorded; the server's CPU is measured over the rest.
 */
final class PingScenario {

  private PingScenario() {
  }

  static JsonObject run(Options o, Targets targets, ServerProbe server) throws InterruptedException {
    int sockets = Math.max(1, o.integer("sockets", 1));
    int roundTrips = o.integer("round-trips", 10000);
    int warmup = o.integer("warmup", 10000);
    CpuWindow cpu = new CpuWindow(server, o.number("clk-tck", 100));
    int perSocket = Math.max(1, roundTrips / sockets);
    int warmupPerSocket = Math.max(0, warmup / sockets);

    LatencyRecorder latency = new LatencyRecorder();
    LongAdder errors = new LongAdder();
    Pinger[] pingers = new Pinger[sockets];
    Connector c = Connector.open(targets, sockets, "/ws", 1000, (i, ws) -> pingers[i] = new Pinger(ws, latency, errors));
    if (c.opened() < sockets) {
      throw new IllegalStateException("ping: only " + c.opened() + " of " + sockets + " sockets opened: " + c.json().encode());
    }
    System.out.printf("ping: %d socket(s), %d warm-up + %d measured round trips%n", sockets, warmupPerSocket * sockets, perSocket * sockets);
    runAll(pingers, warmupPerSocket, false);
    cpu.start();
    long t0 = System.nanoTime();
    runAll(pingers, perSocket, true);
    double seconds = (System.nanoTime() - t0) / 1e9;
    cpu.stop();
    long done = (long) perSocket * sockets;
    JsonObject result = new JsonObject()
      .put("sockets", sockets)
      .put("roundTrips", done)
      .put("seconds", CpuWindow.round3(seconds))
      .put("roundTripsPerSecond", Math.round(done / seconds))
      .put("latency", latency.summary())
      .put("errors", errors.sum())
      .put("cpu", cpu.json(done, "RoundTrip"));
    c.closeAll();
    return result;
  }

  private static void runAll(Pinger[] pingers, int count, boolean record) throws InterruptedException {
    CountDownLatch done = new CountDownLatch(pingers.length);
    for (Pinger p : pingers) {
      p.start(count, record, done);
    }
    if (!done.await(Math.max(60, count / 10), TimeUnit.SECONDS)) {
      throw new IllegalStateException("ping: round trips did not finish; " + done.getCount() + " socket(s) stuck");
    }
  }

  /** One socket's closed loop: a ping, wait for its pong, the next ping. */
  private static final class Pinger {
    private final WebSocket ws;
    private final LatencyRecorder latency;
    private final LongAdder errors;
    private volatile int remaining;
    private volatile boolean record;
    private volatile CountDownLatch done;
    private long sentAt;
    private long nextId;

    Pinger(WebSocket ws, LatencyRecorder latency, LongAdder errors) {
      this.ws = ws;
      this.latency = latency;
      this.errors = errors;
      ws.exceptionHandler(e -> { });
      ws.textMessageHandler(this::onFrame);
    }

    void start(int count, boolean record, CountDownLatch done) {
      this.record = record;
      this.done = done;
      this.remaining = count;
      if (count == 0) {
        done.countDown();
        return;
      }
      // Start on the socket's own event loop, where the pongs arrive.
      ws.writeTextMessage(ping());
    }

    private String ping() {
      sentAt = System.nanoTime();
      return "{\"type\":\"ping\",\"id\":" + (nextId++) + "}";
    }

    private void onFrame(String text) {
      long now = System.nanoTime();
      if (!text.contains("\"pong\"")) {
        if (text.contains("\"error\"")) {
          errors.increment();
        }
        return;
      }
      if (record) {
        latency.recordMicros((now - sentAt) / 1000);
      }
      if (--remaining > 0) {
        ws.writeTextMessage(ping());
      } else {
        done.countDown();
      }
    }
  }

  static String describe(JsonObject r) {
    return String.format("  round trips %d on %d socket(s) in %.2f s (%d/s)%n  latency     %s%n  cpu         %s%n",
      r.getLong("roundTrips"), r.getInteger("sockets"), r.getDouble("seconds"), r.getLong("roundTripsPerSecond"),
      LatencyRecorder.describe(r.getJsonObject("latency")), r.getJsonObject("cpu").encode());
  }
}
