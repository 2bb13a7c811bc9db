package io.github.switchboard.loadgen;

import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.BiConsumer;

/**
 * Opens {@code count} sockets at a fixed rate (not as fast as possible), measuring each
 * connect time: from the connect call to the completed WebSocket handshake.
 */
public final class Connector {

  private final AtomicReferenceArray<WebSocket> sockets;
  private final LatencyRecorder connectTimes = new LatencyRecorder();
  private final AtomicInteger failures = new AtomicInteger();
  private final Map<String, Integer> failureReasons = new ConcurrentHashMap<>();
  private final CountDownLatch done;
  private final int count;
  private long startNanos;
  private long lastCompletedNanos;

  private Connector(int count) {
    this.count = count;
    this.sockets = new AtomicReferenceArray<>(count);
    this.done = new CountDownLatch(count);
  }

  /**
   * Opens the sockets and waits until each has opened or failed. {@code onOpen} runs for each
   * opened socket on its event loop, before any frame can arrive.
   */
  public static Connector open(Targets targets, int count, String path, double perSecond,
                               BiConsumer<Integer, WebSocket> onOpen) throws InterruptedException {
    Connector c = new Connector(count);
    c.startNanos = System.nanoTime();
    FixedRateSchedule schedule = new FixedRateSchedule(c.startNanos, perSecond);
    Thread pacer = new Thread(() -> schedule.run(count, (n, due) -> {
      int i = (int) n;
      long t0 = System.nanoTime();
      targets.connect(i, path, ws -> onOpen.accept(i, ws)).onComplete(ar -> {
        if (ar.succeeded()) {
          c.connectTimes.recordMicros((System.nanoTime() - t0) / 1000);
          c.sockets.set(i, ar.result());
        } else {
          c.failures.incrementAndGet();
          String reason = ar.cause().getClass().getSimpleName() + ": " + String.valueOf(ar.cause().getMessage());
          c.failureReasons.merge(reason.length() > 120 ? reason.substring(0, 120) : reason, 1, Integer::sum);
        }
        c.lastCompletedNanos = System.nanoTime();
        c.done.countDown();
      });
    }), "loadgen-connector");
    pacer.setDaemon(true);
    pacer.start();
    // Connect timeout is 30 s; give the schedule its time plus that.
    long budget = (long) (count / perSecond * 1000) + 60_000;
    if (!c.done.await(budget, TimeUnit.MILLISECONDS)) {
      System.err.println("connector: " + c.done.getCount() + " connects still pending after " + budget + " ms");
    }
    return c;
  }

  public WebSocket socket(int i) {
    return sockets.get(i);
  }

  public int opened() {
    int n = 0;
    for (int i = 0; i < count; i++) {
      if (sockets.get(i) != null) {
        n++;
      }
    }
    return n;
  }

  public int failures() {
    return failures.get();
  }

  public double seconds() {
    return (lastCompletedNanos - startNanos) / 1e9;
  }

  public JsonObject json() {
    JsonObject json = new JsonObject()
      .put("requested", count)
      .put("opened", opened())
      .put("failures", failures())
      .put("seconds", CpuWindow.round3(seconds()))
      .put("connectTime", connectTimes.summary());
    if (!failureReasons.isEmpty()) {
      json.put("failureReasons", new JsonObject(Map.copyOf(failureReasons)));
    }
    return json;
  }

  /** Closes every open socket and waits (up to 10 s) for the closes to finish. */
  public void closeAll() throws InterruptedException {
    CountDownLatch closed = new CountDownLatch(count);
    for (int i = 0; i < count; i++) {
      WebSocket ws = sockets.get(i);
      if (ws == null || ws.isClosed()) {
        closed.countDown();
      } else {
        ws.close().onComplete(ar -> closed.countDown());
      }
    }
    closed.await(10, TimeUnit.SECONDS);
  }
}
