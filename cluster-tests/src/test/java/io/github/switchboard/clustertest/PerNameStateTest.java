package io.github.switchboard.clustertest;

import com.hazelcast.core.DistributedObject;
import com.hazelcast.core.HazelcastInstance;
import io.github.switchboard.gateway.TestSocket;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Names are the clients' choice, so state kept per name must be freed. 100,000 chat rooms are
 * opened over HTTP publish and 10,000 presence groups joined and left; once the rooms' history
 * TTL has passed, the live heap of every process is back within {@link #HEAP_BOUND} of what it
 * was before, and the cluster holds no structure per name. Rooms used to cost 1.9-2.6 KB each
 * for ever (a ringbuffer per room) and groups ~25 KB each on every member (a presence map per
 * group).
 */
class PerNameStateTest {

  private static final Logger log = LoggerFactory.getLogger(PerNameStateTest.class);

  static final int ROOMS = 100_000;
  static final int GROUPS = 10_000;
  /**
   * What may stay after everything is freed (docs/operations.md, "State named by clients"):
   * hash tables that grew with the names keep their size (a few MB), nothing per name.
   */
  static final long HEAP_BOUND = 16L * 1024 * 1024;
  static final String API_KEY = "per-name-state-test";
  /** Requests in flight at once. */
  private static final int IN_FLIGHT = 64;
  private static final int SOCKETS = 10;

  /** Short history TTL (the least allowed), no rate limit or room bound in the way. */
  static final Map<String, String> ENV = Map.of(
    "SWITCHBOARD_CHAT_HISTORY_TTL_MS", "1000",
    // Room for the flood and the warm-up's rooms, and for the bound's conservative count (rooms
    // created while the count runs are counted twice): this test is about freeing, not the bound.
    "SWITCHBOARD_CHAT_MAX_ROOMS", "150000",
    "SWITCHBOARD_API_KEY", API_KEY,
    "SWITCHBOARD_RATE_LIMIT_PER_SECOND", "1000000",
    "SWITCHBOARD_RATE_LIMIT_BURST", "1000000");

  private TestCluster cluster;
  static final List<String> DATA_MEMBER_JVM_OPTIONS = List.of("-Xmx768m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void anEmbeddedGatewayFreesEveryRoomAndGroup() {
    cluster = new TestCluster("per-name-embedded");
    TestCluster.Gateway gateway = cluster.gateway("embedded", ClusterProcess.DEFAULT_JVM_OPTIONS, false, ENV);
    List<TestCluster.Gateway> gateways = List.of(gateway);

    Map<ClusterProcess, Long> baseline = warmUpAndMeasure(gateways, List.of(gateway.process()));
    long start = System.nanoTime();
    publishToRooms(gateways, "room", ROOMS);
    long published = System.nanoTime();
    joinAndLeave(gateways, "group", GROUPS);
    log.info("{} rooms published in {} ms, {} groups joined and left in {} ms", ROOMS,
      (published - start) / 1_000_000, GROUPS, (System.nanoTime() - published) / 1_000_000);
    awaitHeapsBackToBaseline(baseline);
  }

  @Test
  void clusteredMembersFreeEveryRoom() {
    Cluster members = startCluster("per-name-rooms");
    Map<ClusterProcess, Long> baseline = warmUpAndMeasure(members.gateways(), members.processes());
    long start = System.nanoTime();
    publishToRooms(members.gateways(), "room", ROOMS);
    log.info("{} rooms published in {} ms", ROOMS, (System.nanoTime() - start) / 1_000_000);

    assertNoStructurePerName(members);
    await("every room's history removed", Duration.ofSeconds(30),
      () -> members.observer().getMap("switchboard.chat.history").isEmpty());
    awaitHeapsBackToBaseline(baseline);
  }

  @Test
  void clusteredMembersFreeEveryPresenceGroup() {
    Cluster members = startCluster("per-name-groups");
    Map<ClusterProcess, Long> baseline = warmUpAndMeasure(members.gateways(), members.processes());
    long start = System.nanoTime();
    joinAndLeave(members.gateways(), "group", GROUPS);
    log.info("{} groups joined and left in {} ms", GROUPS, (System.nanoTime() - start) / 1_000_000);

    assertNoStructurePerName(members);
    await("the presence map empty", Duration.ofSeconds(20),
      () -> members.observer().getMap("switchboard.presence").isEmpty());
    awaitHeapsBackToBaseline(baseline);
  }

  /** A chat service and two gateways, and a Hazelcast client that watches their structures. */
  private record Cluster(List<TestCluster.Gateway> gateways, List<ClusterProcess> processes, HazelcastInstance observer,
                         int structuresBefore) {
  }

  private Cluster startCluster(String name) {
    cluster = new TestCluster(name);
    // The one data member: it holds every room (the gateways are lite members), so it gets the
    // heap a chat pod would need for 100,000 rooms.
    ClusterProcess chat = cluster.chat("chat", DATA_MEMBER_JVM_OPTIONS, ENV);
    TestCluster.Gateway one = cluster.gateway("gateway-1", ENV);
    TestCluster.Gateway two = cluster.gateway("gateway-2", ENV);
    chat.awaitOutput(TestCluster.CHAT_ACTIVE, TestCluster.START_TIMEOUT);
    HazelcastInstance observer = cluster.hazelcastClient();
    return new Cluster(List.of(one, two), List.of(chat, one.process(), two.process()), observer,
      observer.getDistributedObjects().size());
  }

  private static void assertNoStructurePerName(Cluster members) {
    List<String> names = members.observer().getDistributedObjects().stream().map(DistributedObject::getName).toList();
    assertThat(names).as("structures of the cluster")
      .hasSizeLessThanOrEqualTo(members.structuresBefore() + 2)
      .noneMatch(name -> name.startsWith("switchboard.chat.room.") || name.startsWith("switchboard.presence."));
  }

  /**
   * A few hundred names first, so that classes, pools and caches the flood also needs exist
   * before the baseline is taken; the warm-up's own rooms expire before the end, which only
   * makes the comparison stricter.
   */
  private Map<ClusterProcess, Long> warmUpAndMeasure(List<TestCluster.Gateway> gateways, List<ClusterProcess> members) {
    publishToRooms(gateways, "warm", 500);
    joinAndLeave(gateways, "warm", 200);
    Map<ClusterProcess, Long> baseline = new HashMap<>();
    for (ClusterProcess member : members) {
      baseline.put(member, member.liveHeapBytes());
    }
    log.info("live heap before: {}", megabytes(baseline));
    return baseline;
  }

  private void awaitHeapsBackToBaseline(Map<ClusterProcess, Long> baseline) {
    Map<ClusterProcess, Long> last = new HashMap<>();
    await("every member's live heap within " + HEAP_BOUND / (1024 * 1024) + " MB of its baseline " + megabytes(baseline),
      Duration.ofSeconds(60), () -> {
        boolean all = true;
        for (Map.Entry<ClusterProcess, Long> member : baseline.entrySet()) {
          assertThat(member.getKey().isAlive()).as("%s alive", member.getKey().name()).isTrue();
          long now = member.getKey().liveHeapBytes();
          last.put(member.getKey(), now);
          all &= now - member.getValue() <= HEAP_BOUND;
        }
        log.info("live heap now: {}", megabytes(last));
        return all;
      });
  }

  /**
   * POSTs one message to each of {@code count} rooms named {@code <prefix>-<i>}, over the
   * gateways in turn, {@link #IN_FLIGHT} at a time; every answer must be 202.
   */
  private void publishToRooms(List<TestCluster.Gateway> gateways, String prefix, int count) {
    HttpClient http = cluster.vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
      new PoolOptions().setHttp1MaxSize(IN_FLIGHT));
    Buffer body = Buffer.buffer(new JsonObject().put("data", "hello").encode());
    AtomicInteger next = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    AtomicReference<String> failure = new AtomicReference<>();
    Promise<Void> finished = Promise.promise();
    Runnable[] sendNext = new Runnable[1];
    sendNext[0] = () -> {
      int i = next.getAndIncrement();
      if (i >= count) {
        return;
      }
      TestCluster.Gateway gateway = gateways.get(i % gateways.size());
      http.request(HttpMethod.POST, gateway.port(), "127.0.0.1", "/api/groups/chat." + prefix + "-" + i + "/messages")
        .compose(request -> request.putHeader("Authorization", "Bearer " + API_KEY)
          .putHeader("Content-Type", "application/json").send(body))
        .compose(response -> response.body().map(b -> response.statusCode() == 202 ? null
          : response.statusCode() + " " + b))
        .onComplete(ar -> {
          String problem = ar.failed() ? ar.cause().toString() : ar.result();
          if (problem != null) {
            failure.compareAndSet(null, "room " + i + ": " + problem);
          }
          if (done.incrementAndGet() == count) {
            finished.tryComplete();
          } else {
            sendNext[0].run();
          }
        });
    };
    // Requests are sent from an event loop: the client's callbacks then run where they are made.
    cluster.vertx.getOrCreateContext().runOnContext(v -> {
      for (int k = 0; k < IN_FLIGHT; k++) {
        sendNext[0].run();
      }
    });
    try {
      finished.future().await(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(done.get() + " of " + count + " rooms published: " + e, e);
    } finally {
      http.close();
    }
    assertThat(failure.get()).as("every publish accepted").isNull();
  }

  /**
   * Joins and leaves {@code count} chat groups named {@code chat.<prefix>-<i>} (presence groups
   * by default) from {@link #SOCKETS} {@code /ws} sockets spread over the gateways.
   */
  private void joinAndLeave(List<TestCluster.Gateway> gateways, String prefix, int count) {
    List<TestSocket> sockets = new ArrayList<>();
    try {
      for (int s = 0; s < SOCKETS; s++) {
        sockets.add(TestSocket.connect(cluster.vertx, gateways.get(s % gateways.size()).port(), "/ws"));
      }
      for (int i = 0; i < count; i++) {
        String group = "chat." + prefix + "-" + i;
        TestSocket socket = sockets.get(i % SOCKETS);
        socket.send(new JsonObject().put("type", "subscribe").put("group", group));
        socket.send(new JsonObject().put("type", "unsubscribe").put("group", group).put("id", i));
      }
      // Requests on one socket are answered in order: the last leave's answer comes last.
      for (int s = 0; s < SOCKETS; s++) {
        int lastOfSocket = lastIndexOf(count, s);
        if (lastOfSocket >= 0) {
          sockets.get(s).awaitJson(j -> "unsubscribed".equals(j.getString("type"))
            && Integer.valueOf(lastOfSocket).equals(j.getValue("id")));
        }
      }
    } finally {
      sockets.forEach(TestSocket::close);
    }
  }

  private static int lastIndexOf(int count, int socket) {
    int last = count - 1 - ((count - 1 - socket) % SOCKETS + SOCKETS) % SOCKETS;
    return last >= 0 && last % SOCKETS == socket ? last : -1;
  }

  private static Map<String, String> megabytes(Map<ClusterProcess, Long> heaps) {
    Map<String, String> out = new java.util.TreeMap<>();
    heaps.forEach((p, bytes) -> out.put(p.name(), String.format("%.1f MB", bytes / 1048576.0)));
    return out;
  }

  private static void await(String what, Duration timeout, java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not reached within " + timeout + ": " + what);
      }
      ClusterProcess.pause();
    }
  }
}
