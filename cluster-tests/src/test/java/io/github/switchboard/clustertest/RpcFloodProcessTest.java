package io.github.switchboard.clustertest;

import io.github.switchboard.gateway.Await;
import io.github.switchboard.gateway.TestSocket;
import io.github.switchboard.gateway.hostile.RawWebSocket;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 16's last check: a flood of {@code rpc} frames against a backend that never answers,
 * on a real gateway process with a bounded heap (as PingFloodProcessTest: -Xmx512m, an
 * out-of-memory error ends the process). The cap on calls under way
 * ({@code proxy.maxInFlight}) holds: the backend never holds more requests than that, and
 * every call over it is refused at once with {@code limit_reached} and counted as
 * {@code over_limit}. Meanwhile the gateway's other sockets are served: a quiet socket's pings
 * are answered within {@link #PONG_BOUND_MS} (see below for how that is held), a plain group
 * publish is delivered. After it, the live heap is where it was, and the process is alive and
 * ready.
 *
 * <p>The flood: {@link #FLOODERS} sockets, each sending rpc frames at its rate limit, raised to
 * {@link #RATE_PER_SOCKET} a second (20 times the default; 4,000 calls a second in all, 40 times
 * the cap each second) so
 * that the cap, not the rate limit, is what stops the calls: no flooding socket may get
 * {@code rate_limited}. It is paced to that rate rather than written as fast as the clients
 * can: the gateway, the clients and the backend share the machine (two cores in CI), and an
 * unpaced flood measures the scheduler. At 10,000 calls a second the gateway spent about a
 * third of a core on it and the bounds held on a quiet box but not always on one shared with
 * other builds; at 20,000 (60% of a core, the clients another 35%) p99 of the pongs went over
 * the bound (about 140 ms): the bound holds at a rate, with room, not at any rate, and this
 * one leaves the room a loaded CI box needs. The backend never
 * answers, and {@code timeoutMs} is longer than the test, so the first {@link #MAX_IN_FLIGHT}
 * calls stay under way for the whole flood and every later one meets the full cap.
 * {@code proxy.maxConnections} is raised to the cap, so that every call under way is a request
 * the backend holds and counts (with the default 50 connections, 150 would wait in the
 * gateway's connection pool).
 *
 * <p>How the pongs are held to the bound:
 * <ul>
 *   <li>Once the cap is full, 99% of the pongs come within {@link #PONG_BOUND_MS} (of about
 *   200 pongs, the third slowest), and none takes {@link #STALL_BOUND_MS} or more. Not every
 *   one within 100 ms: a round trip goes through the scheduling of two processes on a 2-core
 *   box, and the late pongs seen came from the cores being taken by other work, not from the
 *   gateway. With the box to itself, the slowest pong of a run took 4 to 90 ms (p99 3 to
 *   40 ms). With other builds running on the box, some runs had one to three pongs of 100 to
 *   185 ms; with two busy loops started beside it, p99 was 180 ms and the slowest 300 ms; with
 *   the box saturated by other work for the whole run (no idle CPU at all), three pongs took
 *   200 to 580 ms and the test failed: it needs the CPU a gateway is given, not what is left of
 *   a box others use up. What the issue guards against shows in these bounds all the same: a
 *   flood that crowds the other sockets out makes every frame wait (p99 moves), and an event
 *   loop blocked on the silent backend stays blocked for seconds, up to {@code timeoutMs}.</li>
 *   <li>While the cap fills, the pongs whose ping went out before the backend held the full
 *   cap are held to {@link #CAP_FILL_BOUND_MS} instead. That is {@link #MAX_IN_FLIGHT} backend
 *   requests started in one event-loop turn, and their connections opened in the next few,
 *   each costing the loop a fraction of a millisecond: with a cap of 200 the cap was full 200
 *   to 470 ms after the first call and the slowest pong of that window took 90 to 340 ms, on a
 *   2-core box (hence a cap of 100 here). A
 *   burst of 200 rpc frames alone, with no flood after it, did the same (pongs of 120 to
 *   165 ms with 200 connections, 20 to 80 ms with the default 50): it is the cost of that
 *   many calls arriving at once, not of the flood.</li>
 *   <li>A cold process is not held to them: the same flood on a gateway just started (its code
 *   run for the first time, C1 still compiling it) stalled its event loop for 0.2 to 1.5 s. A
 *   short, slower flood first ({@link #WARM_UP_MS}; logged, not held to the bounds) makes the
 *   measured one meet a gateway that has run these paths, as a gateway in service has.</li>
 * </ul>
 * Each round trip is timed on a thread of its own with blocking I/O, so the test JVM's event
 * loops (busy with the backend) are not in it.
 */
class RpcFloodProcessTest {

  private static final Logger log = LoggerFactory.getLogger(RpcFloodProcessTest.class);

  /** Calls under way at once on the gateway: the cap. */
  private static final int MAX_IN_FLIGHT = 100;
  /** Longer than the whole test: no held call times out during it. */
  private static final long BACKEND_TIMEOUT_MS = 120_000;
  private static final int FLOODERS = 4;
  /** rpc frames a second per flooding socket, and the gateway's rate limit (and burst) per socket. */
  private static final int RATE_PER_SOCKET = 1_000;
  /** How long the measured flood lasts. */
  private static final long FLOOD_MS = 20_000;
  /** How long the warm-up flood lasts. */
  private static final long WARM_UP_MS = 3_000;
  /**
   * How much slower than the flood the warm-up floods: enough calls to compile their paths,
   * and a stall of the cold gateway (up to 1.5 s seen) stays within the sockets' burst, which
   * is one second of the flood's rate (a socket whose frames the gateway reads late gets them
   * counted at once when it catches up, as a burst).
   */
  private static final int WARM_UP_SLOWER = 5;
  /** How often the quiet socket pings, and the bound on a pong (for 99% of them). */
  private static final long PING_EVERY_MS = 100;
  private static final long PONG_BOUND_MS = 100;
  /** No pong after the cap is full may take this long (see the class comment). */
  private static final long STALL_BOUND_MS = 500;
  /** The bound on pongs while the cap fills (see the class comment): three times the worst seen. */
  private static final long CAP_FILL_BOUND_MS = 1_000;
  private static final long PUBLISH_EVERY_MS = 250;
  /**
   * Growth of the live heap allowed. What the flood may leave held: the calls under way (200
   * requests and their connections to the backend, about 10 KB each: 2.1 MB measured) and the
   * flood's seven idle sockets; after it, nothing (measured: within 200 KB of the baseline,
   * either way). The flood refuses about 200,000 calls: a leak of 42 bytes each fails it.
   */
  private static final long MAX_HEAP_GROWTH = 8L * 1024 * 1024;
  private static final List<String> JVM_OPTIONS = List.of("-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
    "-XX:+ExitOnOutOfMemoryError");
  private static final int OPCODE_PONG = 0xA;

  private TestCluster cluster;
  private HttpServer backend;
  private final HeldBackend held = new HeldBackend();
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final List<ScheduledExecutorService> executors = new ArrayList<>();

  @BeforeEach
  void start() {
    cluster = new TestCluster("rpc-flood-" + System.nanoTime());
    backend = Await.result(cluster.vertx.createHttpServer().requestHandler(held::accept).listen(0, "127.0.0.1"));
  }

  @AfterEach
  void stop() throws Exception {
    executors.forEach(ScheduledExecutorService::shutdownNow);
    for (AutoCloseable closeable : toClose) {
      closeable.close();
    }
    cluster.close();
  }

  @Test
  void theCapHoldsAndTheGatewayServesItsOtherSocketsWithAFlatHeap() throws Exception {
    TestCluster.Gateway gateway = cluster.gateway("gateway", JVM_OPTIONS, false, Map.of(
      "SWITCHBOARD_PROXY_RPC_URL", "http://127.0.0.1:" + backend.actualPort() + "/rpc",
      "SWITCHBOARD_PROXY_MAX_IN_FLIGHT", String.valueOf(MAX_IN_FLIGHT),
      "SWITCHBOARD_PROXY_MAX_CONNECTIONS", String.valueOf(MAX_IN_FLIGHT),
      "SWITCHBOARD_PROXY_TIMEOUT_MS", String.valueOf(BACKEND_TIMEOUT_MS),
      "SWITCHBOARD_RATE_LIMIT_PER_SECOND", String.valueOf(RATE_PER_SOCKET),
      "SWITCHBOARD_RATE_LIMIT_BURST", String.valueOf(RATE_PER_SOCKET)));
    ClusterProcess process = gateway.process();

    try (Flood warmUp = new Flood(gateway, "warm-up", RATE_PER_SOCKET / WARM_UP_SLOWER)) {
      warmUp.run(WARM_UP_MS);
      warmUp.awaitAnswers();
      warmUp.log();
      warmUp.release();
    }
    awaitConnections(gateway, 0);
    Waits.until(cluster, "the backend holding nothing", () -> held.atOnce.get() == 0, Duration.ofSeconds(10));
    held.reset();
    double overLimitBefore = rpcCalls(gateway, "over_limit");
    long baseline = process.liveHeapBytes();
    // Not a figure that can be near zero: a reading of the wrong process, or of nothing, fails here.
    assertThat(baseline).as("live heap of the idle gateway").isGreaterThan(1024 * 1024);

    Flood flood = open(new Flood(gateway, "flood", RATE_PER_SOCKET));
    flood.run(FLOOD_MS);
    flood.awaitAnswers();
    flood.log();

    // The flood was real, and met the cap, not the rate limit.
    for (Flooder flooder : flood.flooders) {
      assertThat(flooder.closedBy).as("%s closed", flooder.name).isNull();
      assertThat(flooder.rateLimited.get()).as("%s rate_limited frames", flooder.name).isZero();
      assertThat(flooder.other).as("%s frames other than limit_reached", flooder.name).isEmpty();
    }
    assertThat(flood.answers() + held.received.get()).as("answers and calls held, against rpc frames sent").isEqualTo(flood.sent());
    assertThat(flood.sent()).as("rpc frames sent").isGreaterThan(FLOODERS * RATE_PER_SOCKET * FLOOD_MS / 1000 * 9 / 10);
    // The cap holds: the backend got the first MAX_IN_FLIGHT calls, and never more at once;
    // every other call was refused at once and counted.
    assertThat(held.maxAtOnce.get()).as("requests the backend held at once").isEqualTo(MAX_IN_FLIGHT);
    assertThat(held.received.get()).as("requests the backend got").isEqualTo(MAX_IN_FLIGHT);
    assertThat(flood.limitReached()).as("limit_reached answers").isEqualTo(flood.sent() - MAX_IN_FLIGHT);
    assertThat(flood.overLimit - overLimitBefore).as("over_limit metric, this flood's").isEqualTo((double) flood.limitReached());
    List<Double> samples = flood.overLimitSamples;
    assertThat(samples).as("over_limit samples during the flood").hasSizeGreaterThanOrEqualTo(4);
    for (int i = 1; i < samples.size(); i++) {
      assertThat(samples.get(i)).as("over_limit grows during the flood: %s", samples).isGreaterThan(samples.get(i - 1));
    }
    assertThat(rpcCalls(gateway, "timeout")).as("timeouts").isZero();
    // The other sockets were served: the pongs within their bounds, every publish delivered.
    List<Pong> steady = flood.pongs(false);
    assertThat(steady).as("pongs measured after the cap filled").hasSizeGreaterThanOrEqualTo((int) (FLOOD_MS / PING_EVERY_MS * 8 / 10));
    assertThat(quantileMs(steady, 0.99)).as("p99 of the pongs once the cap is full (ms); the slowest: %s ms",
      slowest(steady)).isLessThan(PONG_BOUND_MS);
    assertThat(quantileMs(steady, 1)).as("the slowest pong once the cap is full (ms)").isLessThan(STALL_BOUND_MS);
    assertThat(flood.pongs(true).stream().filter(p -> p.micros() >= CAP_FILL_BOUND_MS * 1000).toList())
      .as("pongs over %d ms while the cap fills", CAP_FILL_BOUND_MS).isEmpty();
    assertThat(flood.deliveryMs).as("publishes delivered during the flood").hasSizeGreaterThanOrEqualTo((int) (FLOOD_MS / PUBLISH_EVERY_MS / 2));

    // Heap while the backend still holds the calls: the flood is over, its sockets idle.
    long whileHeld = process.liveHeapBytes();
    // The backend answers at last: each held call's result reaches the socket that asked.
    flood.release();
    assertThat(rpcCalls(gateway, "answered")).as("answered calls, the warm-up's included").isEqualTo(2.0 * MAX_IN_FLIGHT);
    flood.close();
    awaitConnections(gateway, 0);
    assertThat(process.isAlive()).as("gateway process alive after the flood:\n%s", process.tail()).isTrue();
    long askedAt = System.nanoTime();
    int status = cluster.get(gateway, "/health/ready").statusCode();
    long readyMs = (System.nanoTime() - askedAt) / 1_000_000;
    assertThat(status).isEqualTo(200);
    assertThat(readyMs).as("/health/ready answer time (ms)").isLessThan(1_000);
    long after = process.liveHeapBytes();
    log.info("{}: live heap {} before, {} while the calls were held ({} KB growth), {} after ({} KB growth); /health/ready in {} ms",
      process.name(), baseline, whileHeld, (whileHeld - baseline) / 1024, after, (after - baseline) / 1024, readyMs);
    assertThat(whileHeld - baseline).as("live heap growth while the calls are held (bytes), %d -> %d", baseline, whileHeld)
      .isLessThan(MAX_HEAP_GROWTH);
    assertThat(after - baseline).as("live heap growth after the flood (bytes), %d -> %d", baseline, after)
      .isLessThan(MAX_HEAP_GROWTH);
    assertThat(process.isAlive()).isTrue();
  }

  /**
   * One flood and what goes on beside it: {@link #FLOODERS} flooding sockets, the quiet
   * socket's pings, a publisher and a subscriber of a plain group, all open before it starts.
   */
  private final class Flood implements AutoCloseable {
    private final TestCluster.Gateway gateway;
    private final String name;
    final List<Flooder> flooders = new ArrayList<>();
    private final Pinger pinger;
    private final TestSocket subscriber;
    private final TestSocket publisher;
    final List<Long> deliveryMs = new ArrayList<>();
    final List<Double> overLimitSamples = new ArrayList<>();
    double overLimit;
    private long startedAt;
    private long floodMs;
    private long cpuMs;
    private long ownCpuMs;
    private String eventLoopDelayMax;

    Flood(TestCluster.Gateway gateway, String name, int ratePerSocket) throws Exception {
      this.gateway = gateway;
      this.name = name;
      for (int i = 0; i < FLOODERS; i++) {
        flooders.add(new Flooder(RawWebSocket.open(gateway.port(), "/ws"), name + "-flooder-" + i, ratePerSocket));
      }
      pinger = new Pinger(RawWebSocket.open(gateway.port(), "/ws"));
      subscriber = TestSocket.connect(cluster.vertx, gateway.port(), "/ws");
      publisher = TestSocket.connect(cluster.vertx, gateway.port(), "/ws");
      subscriber.send("{\"type\":\"subscribe\",\"group\":\"quiet.news\",\"id\":\"s\"}");
      assertThat(subscriber.nextJson().getString("type")).isEqualTo("subscribed");
      awaitConnections(gateway, FLOODERS + 3);
    }

    /** Floods for {@code durationMs}, publishing beside it and sampling over_limit. */
    void run(long durationMs) throws Exception {
      ClusterProcess process = gateway.process();
      long cpuBefore = cpuNanos(process);
      long ownCpuBefore = ownCpuNanos();
      long start = System.nanoTime();
      startedAt = start;
      ScheduledExecutorService floodTicks = executor(FLOODERS);
      for (Flooder flooder : flooders) {
        flooder.startReading();
        floodTicks.scheduleAtFixedRate(flooder::tick, 0, 10, TimeUnit.MILLISECONDS);
      }
      ScheduledExecutorService pingTicks = executor(1);
      pingTicks.scheduleAtFixedRate(pinger::round, 0, PING_EVERY_MS, TimeUnit.MILLISECONDS);

      long nextSample = start + TimeUnit.SECONDS.toNanos(2);
      int published = 0;
      while (System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(durationMs)) {
        assertThat(process.isAlive()).as("gateway alive during the flood:\n%s", process.tail()).isTrue();
        published++;
        long sentAt = System.nanoTime();
        publisher.send("{\"type\":\"publish\",\"group\":\"quiet.news\",\"data\":{\"n\":" + published + "},\"id\":" + published + "}");
        int n = published;
        subscriber.awaitJson(m -> "message".equals(m.getString("type")) && m.getJsonObject("data").getInteger("n") == n);
        deliveryMs.add((System.nanoTime() - sentAt) / 1_000_000);
        if (System.nanoTime() > nextSample) {
          overLimitSamples.add(rpcCalls(gateway, "over_limit"));
          nextSample += TimeUnit.SECONDS.toNanos(3);
        }
        pinger.check();
        cluster.vertx.timer(PUBLISH_EVERY_MS).await(5, TimeUnit.SECONDS);
      }
      shutdown(floodTicks);
      shutdown(pingTicks);
      floodMs = (System.nanoTime() - start) / 1_000_000;
      cpuMs = (cpuNanos(process) - cpuBefore) / 1_000_000;
      ownCpuMs = (ownCpuNanos() - ownCpuBefore) / 1_000_000;
      pinger.check();
    }

    /**
     * Waits until every call the backend does not hold is answered (asserted by the caller,
     * after the figures are logged), then reads over_limit.
     */
    void awaitAnswers() throws Exception {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (flooders.stream().allMatch(f -> f.closedBy == null) && answers() + held.received.get() != sent()
        && System.nanoTime() < deadline) {
        cluster.vertx.timer(50).await(5, TimeUnit.SECONDS);
      }
      overLimit = rpcCalls(gateway, "over_limit");
      overLimitSamples.add(overLimit);
      eventLoopDelayMax = metric(cluster.get(gateway, "/metrics").bodyAsString(), "switchboard_event_loop_delay_seconds_max");
    }

    long sent() {
      return flooders.stream().mapToLong(f -> f.sent.get()).sum();
    }

    long answers() {
      return flooders.stream().mapToLong(Flooder::answers).sum();
    }

    long limitReached() {
      return flooders.stream().mapToLong(f -> f.limitReached.get()).sum();
    }

    /**
     * The pongs whose ping went out before the backend held the full cap ({@code capFilling}),
     * or after. Both times are this JVM's clock.
     */
    List<Pong> pongs(boolean capFilling) {
      long fullAt = held.fullAt.get();
      return pinger.pongs.stream().filter(p -> (fullAt == 0 || p.sentAt() < fullAt) == capFilling).toList();
    }

    void log() {
      List<Pong> filling = pongs(true);
      List<Pong> steady = pongs(false);
      log.info("{}: {} ms, {} rpc frames sent ({}/s), {} answers: {} limit_reached, {} rate_limited; flooders closed: {};"
          + " over_limit {} (samples {}); backend got {}, held at most {} at once, the cap full {} ms after the first call;"
          + " gateway CPU {} ms ({}% of one core), test JVM CPU {}% of one core;"
          + " {} pongs while the cap filled: {} ms; {} pongs after: p50 {} ms, p90 {} ms, p99 {} ms, max {} ms, over {} ms: {};"
          + " {} publishes delivered, p50 {} ms, max {} ms; event loop delay max (s) {}",
        name, floodMs, sent(), sent() * 1000 / Math.max(1, floodMs), answers(), limitReached(),
        flooders.stream().mapToLong(f -> f.rateLimited.get()).sum(), flooders.stream().map(f -> f.closedBy).toList(),
        overLimit, overLimitSamples, held.received.get(), held.maxAtOnce.get(), held.fullAfterMs(),
        cpuMs, cpuMs * 100 / Math.max(1, floodMs), ownCpuMs * 100 / Math.max(1, floodMs),
        filling.size(), filling.stream().map(p -> p.micros() / 1000.0).toList(), steady.size(),
        quantileMs(steady, 0.5), quantileMs(steady, 0.9), quantileMs(steady, 0.99), quantileMs(steady, 1), PONG_BOUND_MS,
        steady.stream().filter(p -> p.micros() >= PONG_BOUND_MS * 1000)
          .map(p -> p.micros() / 1000.0 + " ms (ping at +" + (p.sentAt() - startedAt) / 1_000_000 + " ms)").toList(),
        deliveryMs.size(), deliveryMs.stream().sorted().skip(deliveryMs.size() / 2).findFirst().orElse(-1L),
        deliveryMs.stream().mapToLong(Long::longValue).max().orElse(-1), eventLoopDelayMax);
    }

    /**
     * The backend answers every call it holds (on connections it then closes, so that the
     * gateway's pool empties); each result must reach the socket that asked.
     */
    void release() throws Exception {
      Waits.until(cluster, name + ": the held calls' results at their sockets", () -> {
        held.releaseAll();
        return flooders.stream().mapToLong(f -> f.results.get()).sum() == MAX_IN_FLIGHT;
      }, Duration.ofSeconds(30));
    }

    @Override
    public void close() throws Exception {
      for (Flooder flooder : flooders) {
        flooder.close();
      }
      pinger.close();
      subscriber.close();
      publisher.close();
    }
  }

  /** The round trip at quantile q (1: the slowest), in ms; NaN without any. */
  private static double quantileMs(List<Pong> pongs, double q) {
    long[] sorted = pongs.stream().mapToLong(Pong::micros).sorted().toArray();
    return sorted.length == 0 ? Double.NaN : sorted[Math.max(0, (int) Math.ceil(sorted.length * q) - 1)] / 1000.0;
  }

  /** The five slowest round trips, in ms. */
  private static List<Double> slowest(List<Pong> pongs) {
    return pongs.stream().map(p -> p.micros() / 1000.0).sorted(Comparator.reverseOrder()).limit(5).toList();
  }

  private <T extends AutoCloseable> T open(T closeable) {
    toClose.add(closeable);
    return closeable;
  }

  private ScheduledExecutorService executor(int threads) {
    ScheduledExecutorService executor = Executors.newScheduledThreadPool(threads);
    executors.add(executor);
    return executor;
  }

  private static void shutdown(ScheduledExecutorService executor) throws InterruptedException {
    executor.shutdown();
    assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).as("flood and ping ticks ended").isTrue();
  }

  private static long cpuNanos(ClusterProcess process) {
    return ProcessHandle.of(process.pid()).flatMap(h -> h.info().totalCpuDuration()).map(Duration::toNanos).orElse(0L);
  }

  /** CPU time of this JVM (the clients and the backend). */
  private static long ownCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private double rpcCalls(TestCluster.Gateway gateway, String outcome) {
    String metrics = cluster.get(gateway, "/metrics").bodyAsString();
    String value = metric(metrics, "switchboard_proxy_calls_total{hook=\"rpc\",outcome=\"" + outcome + "\"}");
    assertThat(value).as("rpc outcome %s in /metrics", outcome).isNotNull();
    return Double.parseDouble(value);
  }

  /** The value of a series in Prometheus text, or null. */
  private static String metric(String metrics, String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(metrics);
    return m.find() ? m.group(1) : null;
  }

  private void awaitConnections(TestCluster.Gateway gateway, int expected) throws Exception {
    Waits.until(cluster, expected + " connections in /api/stats",
      () -> cluster.get(gateway, "/api/stats").bodyAsJsonObject().getInteger("connections") == expected, Duration.ofSeconds(10));
  }

  /**
   * The backend: holds every request without an answer until {@link #releaseAll}, and counts
   * the requests it holds at once.
   */
  private static final class HeldBackend {
    final AtomicInteger received = new AtomicInteger();
    final AtomicInteger atOnce = new AtomicInteger();
    final AtomicInteger maxAtOnce = new AtomicInteger();
    private final AtomicLong firstAt = new AtomicLong();
    /** When the backend first held the full cap ({@link System#nanoTime}); 0 before. */
    final AtomicLong fullAt = new AtomicLong();
    private final Queue<HttpServerRequest> requests = new ConcurrentLinkedQueue<>();

    void accept(HttpServerRequest request) {
      long now = System.nanoTime();
      firstAt.compareAndSet(0, now);
      received.incrementAndGet();
      int holding = atOnce.incrementAndGet();
      maxAtOnce.accumulateAndGet(holding, Math::max);
      if (holding == MAX_IN_FLIGHT) {
        fullAt.compareAndSet(0, now);
      }
      AtomicBoolean done = new AtomicBoolean();
      Runnable ended = () -> {
        if (done.compareAndSet(false, true)) {
          atOnce.decrementAndGet();
        }
      };
      // Ended by the answer, or by the gateway closing the connection (it would on a timeout).
      request.response().endHandler(v -> ended.run());
      request.response().closeHandler(v -> ended.run());
      requests.add(request);
    }

    /** From the first request to the one that filled the cap (ms); -1 if it never filled. */
    long fullAfterMs() {
      return fullAt.get() == 0 ? -1 : (fullAt.get() - firstAt.get()) / 1_000_000;
    }

    /** Answers every held request, each on a connection then closed. */
    void releaseAll() {
      for (HttpServerRequest request; (request = requests.poll()) != null; ) {
        request.response().putHeader("content-type", "application/json").putHeader("connection", "close")
          .end("{\"data\":\"released\"}");
      }
    }

    /** Counts from zero again (once nothing is held). */
    void reset() {
      received.set(0);
      maxAtOnce.set(0);
      firstAt.set(0);
      fullAt.set(0);
    }
  }

  /** A server frame: opcode and payload (the gateway sends small unfragmented frames). */
  private record Frame(int opcode, byte[] payload) {
    String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }
  }

  private static Frame readFrame(DataInputStream in) throws IOException {
    int first = in.readUnsignedByte();
    int second = in.readUnsignedByte();
    if ((first & 0x80) == 0 || (second & 0x80) != 0) {
      throw new IOException("unexpected frame header " + first + " " + second);
    }
    long length = second & 0x7f;
    if (length == 126) {
      length = in.readUnsignedShort();
    } else if (length == 127) {
      length = in.readLong();
    }
    if (length > 1 << 20) {
      throw new IOException("frame of " + length + " bytes");
    }
    byte[] payload = new byte[(int) length];
    in.readFully(payload);
    return new Frame(first & 0x0f, payload);
  }

  /**
   * A socket that sends rpc frames at a rate (each tick sends what is due since the start, in
   * one write), and reads and counts the answers on a thread of its
   * own.
   */
  private static final class Flooder implements AutoCloseable {
    final String name;
    private final int rate;
    private final RawWebSocket ws;
    private final DataInputStream in;
    private final Thread reader;
    final AtomicLong sent = new AtomicLong();
    final AtomicLong limitReached = new AtomicLong();
    final AtomicLong rateLimited = new AtomicLong();
    final AtomicLong results = new AtomicLong();
    final List<String> other = new CopyOnWriteArrayList<>();
    /** Why the socket ended before the test closed it; null while it is open. */
    volatile String closedBy;
    private volatile boolean closing;
    private long startedAt;

    Flooder(RawWebSocket ws, String name, int rate) throws IOException {
      this.ws = ws;
      this.name = name;
      this.rate = rate;
      // No read timeout: the socket is idle between the flood and the release, for as long as
      // the heap reading takes; closing the socket ends the reader.
      ws.socket().setSoTimeout(0);
      this.in = new DataInputStream(new BufferedInputStream(ws.socket().getInputStream(), 1 << 16));
      this.reader = new Thread(this::read, name + "-reader");
      reader.setDaemon(true);
    }

    void startReading() {
      reader.start();
    }

    long answers() {
      return limitReached.get() + rateLimited.get() + results.get() + other.size();
    }

    /**
     * Sends the frames due since the first tick (the rate times the time passed), so that the
     * socket never goes over its rate limit on average; at most a tenth of a second's worth at
     * once after a late tick.
     */
    void tick() {
      if (startedAt == 0) {
        startedAt = System.nanoTime();
      }
      long due = (System.nanoTime() - startedAt) * rate / 1_000_000_000L + 1 - sent.get();
      int count = (int) Math.min(due, Math.max(1, rate / 10));
      if (count <= 0 || closedBy != null) {
        return;
      }
      ByteArrayOutputStream burst = new ByteArrayOutputStream(count * 80);
      long first = sent.get() + 1;
      for (long id = first; id < first + count; id++) {
        String rpc = "{\"type\":\"rpc\",\"method\":\"flood\",\"data\":{\"n\":" + id + "},\"id\":" + id + "}";
        burst.writeBytes(RawWebSocket.frame(RawWebSocket.OPCODE_TEXT, rpc.getBytes(StandardCharsets.UTF_8)));
      }
      try {
        write(burst.toByteArray());
        sent.addAndGet(count);
      } catch (IOException e) {
        if (closedBy == null) {
          closedBy = "write failed: " + e;
        }
      }
    }

    /** From the tick thread and the reader (pongs): one frame after the other. */
    private synchronized void write(byte[] bytes) throws IOException {
      ws.write(bytes);
    }

    private void read() {
      try {
        while (true) {
          Frame frame = readFrame(in);
          switch (frame.opcode()) {
            case RawWebSocket.OPCODE_TEXT -> {
              String text = frame.text();
              if (text.contains("\"code\":\"limit_reached\"")) {
                limitReached.incrementAndGet();
              } else if (text.contains("\"code\":\"rate_limited\"")) {
                rateLimited.incrementAndGet();
              } else if (text.contains("\"type\":\"rpc_result\"")) {
                results.incrementAndGet();
              } else {
                other.add(text);
              }
            }
            case RawWebSocket.OPCODE_PING -> write(RawWebSocket.frame(OPCODE_PONG, frame.payload()));
            case RawWebSocket.OPCODE_CLOSE -> {
              closedBy = "close frame, code " + (frame.payload().length >= 2
                ? ((frame.payload()[0] & 0xff) << 8 | (frame.payload()[1] & 0xff)) : -1);
              return;
            }
            default -> other.add("opcode " + frame.opcode());
          }
        }
      } catch (IOException e) {
        if (!closing && closedBy == null) {
          closedBy = "read failed: " + e;
        }
      }
    }

    @Override
    public void close() throws Exception {
      closing = true;
      ws.close();
      reader.join(TimeUnit.SECONDS.toMillis(10));
    }
  }

  /** A pong: when its ping went out ({@link System#nanoTime}) and the round trip (µs). */
  private record Pong(long sentAt, long micros) {
  }

  /**
   * The quiet socket: each round sends a JSON ping and reads until its pong, on the round's
   * own thread, and records the round trip. A pong not back within 5 s ends the rounds with a
   * failure.
   */
  private static final class Pinger implements AutoCloseable {
    private final RawWebSocket ws;
    private final DataInputStream in;
    final List<Pong> pongs = new CopyOnWriteArrayList<>();
    private volatile String failure;
    private int next;

    Pinger(RawWebSocket ws) throws IOException {
      this.ws = ws;
      ws.socket().setSoTimeout(5_000);
      this.in = new DataInputStream(new BufferedInputStream(ws.socket().getInputStream(), 1 << 12));
    }

    void round() {
      if (failure != null) {
        return;
      }
      int id = ++next;
      try {
        long sentAt = System.nanoTime();
        ws.write(RawWebSocket.frame(RawWebSocket.OPCODE_TEXT, ("{\"type\":\"ping\",\"id\":" + id + "}").getBytes(StandardCharsets.UTF_8)));
        while (true) {
          Frame frame = readFrame(in);
          if (frame.opcode() == RawWebSocket.OPCODE_PING) {
            ws.write(RawWebSocket.frame(OPCODE_PONG, frame.payload()));
            continue;
          }
          JsonObject json = frame.opcode() == RawWebSocket.OPCODE_TEXT ? new JsonObject(frame.text()) : null;
          if (json == null || !"pong".equals(json.getString("type"))) {
            failure = "unexpected frame on the quiet socket: opcode " + frame.opcode() + " " + frame.text();
            return;
          }
          if (json.getInteger("id") == id) {
            pongs.add(new Pong(sentAt, (System.nanoTime() - sentAt) / 1_000));
            return;
          }
        }
      } catch (IOException | RuntimeException e) {
        failure = "ping " + id + ": " + e;
      }
    }

    void check() {
      assertThat(failure).as("quiet socket").isNull();
    }

    @Override
    public void close() throws IOException {
      ws.close();
    }
  }
}
