package io.github.switchboard.deploycheck;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs what the Deployments in k8s/ describe, on this machine: two gateway pods, two chat pods
 * and two simulator pods (the replicas the manifests ask for: their quorum of three data
 * members needs three of the four) as processes started from the containers' own command, args and env
 * (see {@link PodProcess} for the few overrides a single host needs), all at once as
 * {@code kubectl apply} would. Then both gateways must become ready and a chat message sent
 * on one gateway must reach a socket on the other, through the chat pod.
 *
 * <p>Needs the fat jars: run {@code mvn install -DskipTests} (or {@code mvn verify} from the
 * root, which builds them first). Process output goes to {@code target/smoke/}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ManifestSmokeTest {

  private static final Logger log = LoggerFactory.getLogger(ManifestSmokeTest.class);

  private static final Path K8S = Path.of("..", "k8s");
  private static final Path WORK_DIR = Path.of("target", "smoke");
  /** Six JVMs joining one cluster on two shared cores; about 20 s when the machine is idle. */
  private static final Duration READY_DEADLINE = Duration.ofSeconds(120);
  /** The chat pod may still be taking its leadership when the gateways are ready. */
  private static final Duration CHAT_DEADLINE = Duration.ofSeconds(45);
  private static final Duration FRAME_TIMEOUT = Duration.ofSeconds(15);

  private static final List<PodProcess> pods = new ArrayList<>();
  private static Vertx vertx;
  private static WebClient http;
  private static int gateway1Port;
  private static int gateway2Port;
  private static long startedAt;

  @BeforeAll
  static void startThePods() throws IOException {
    for (Component component : Component.values()) {
      assertThat(component.builtJar())
        .as("%s is built by `mvn install -DskipTests` (or `mvn verify` from the root)", component.builtJar())
        .isRegularFile();
    }
    Files.createDirectories(WORK_DIR);
    Manifests manifests = Manifests.load(K8S);
    Set<Integer> taken = new HashSet<>();
    int hazelcastBase = freePortBlock(10, taken);
    gateway1Port = freePort(taken);
    gateway2Port = freePort(taken);
    PodProcess.Host host = new PodProcess.Host("smoke-" + UUID.randomUUID(), hazelcastBase, WORK_DIR);
    startedAt = System.nanoTime();
    try {
      pods.add(PodProcess.start(manifests, Component.GATEWAY, "gateway-1", gateway1Port, freePort(taken), host));
      pods.add(PodProcess.start(manifests, Component.GATEWAY, "gateway-2", gateway2Port, freePort(taken), host));
      pods.add(PodProcess.start(manifests, Component.CHAT, "chat-1", 0, freePort(taken), host));
      pods.add(PodProcess.start(manifests, Component.CHAT, "chat-2", 0, freePort(taken), host));
      pods.add(PodProcess.start(manifests, Component.SIMULATOR, "simulator-1", 0, freePort(taken), host));
      pods.add(PodProcess.start(manifests, Component.SIMULATOR, "simulator-2", 0, freePort(taken), host));
    } catch (RuntimeException | AssertionError e) {
      stopThePods();
      throw e;
    }
    vertx = Vertx.vertx();
    http = WebClient.create(vertx);
  }

  @AfterAll
  static void stopThePods() {
    pods.forEach(PodProcess::destroy);
    pods.clear();
    if (vertx != null) {
      await(vertx.close(), Duration.ofSeconds(10));
      vertx = null;
    }
  }

  @Test
  @Order(1)
  void bothGatewaysBecomeReady() {
    awaitReady(gateway1Port);
    awaitReady(gateway2Port);
    log.info("both gateways ready {} s after start", String.format("%.1f", (System.nanoTime() - startedAt) / 1e9));
  }

  @Test
  @Order(2)
  void aChatMessageCrossesFromOneGatewayToTheOther() throws InterruptedException {
    awaitReady(gateway1Port);
    awaitReady(gateway2Port);
    WebSocketClient client = vertx.createWebSocketClient();
    BlockingQueue<JsonObject> framesA = new LinkedBlockingQueue<>();
    BlockingQueue<JsonObject> framesB = new LinkedBlockingQueue<>();
    WebSocket a = connect(client, gateway1Port, framesA);
    WebSocket b = connect(client, gateway2Port, framesB);

    JsonObject welcomeA = next(framesA, "A's welcome");
    JsonObject welcomeB = next(framesB, "B's welcome");
    assertThat(welcomeA.getString("type")).isEqualTo("welcome");
    assertThat(welcomeB.getString("type")).isEqualTo("welcome");
    String connectionA = welcomeA.getString("connectionId");
    assertThat(connectionA).isNotBlank();

    long sentAt = System.nanoTime();
    long deadline = sentAt + CHAT_DEADLINE.toNanos();
    JsonObject chat = null;
    int attempts = 0;
    while (chat == null) {
      attempts++;
      a.writeTextMessage(new JsonObject().put("message", "hello").encode());
      JsonObject reply = next(framesA, "A's reply to its message");
      if ("error".equals(reply.getString("type")) && "service_unavailable".equals(reply.getString("code"))) {
        // No chat intake yet: the chat pod is still joining or taking the chat leadership.
        assertThat(System.nanoTime()).as("chat still unavailable after %s (%d attempts)", CHAT_DEADLINE, attempts)
          .isLessThan(deadline);
        pods.forEach(PodProcess::assertAlive);
        TimeUnit.MILLISECONDS.sleep(250);
        continue;
      }
      assertThat(reply.getString("type")).as("frame %s", reply).isEqualTo("chat");
      chat = reply;
    }
    assertThat(chat.getString("message")).isEqualTo("hello");
    assertThat(chat.getString("sender")).isEqualTo(connectionA);
    assertThat(chat.getLong("seq")).isEqualTo(1L);

    JsonObject atB = next(framesB, "the message on the other gateway");
    assertThat(atB.getString("type")).as("frame %s", atB).isEqualTo("chat");
    assertThat(atB.getString("message")).isEqualTo("hello");
    assertThat(atB.getString("sender")).isEqualTo(connectionA);
    assertThat(atB.getLong("seq")).isEqualTo(1L);
    assertThat(atB.getString("id")).isEqualTo(chat.getString("id"));
    log.info("cross-gateway chat round trip in {} s ({} send attempt(s))",
      String.format("%.1f", (System.nanoTime() - sentAt) / 1e9), attempts);

    await(a.close(), Duration.ofSeconds(5));
    await(b.close(), Duration.ofSeconds(5));
  }

  /**
   * Connects from an event loop so that map() is registered before the handshake completes
   * and sets the handler ahead of the first frame (the welcome); registered from this thread,
   * it could run after the welcome was read and dropped.
   */
  private static WebSocket connect(WebSocketClient client, int port, BlockingQueue<JsonObject> frames) {
    Promise<WebSocket> opened = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> client.connect(port, "127.0.0.1", "/ws/chat/smoke?welcome=1").map(ws -> {
      ws.textMessageHandler(text -> frames.add(new JsonObject(text)));
      return ws;
    }).onComplete(opened));
    return await(opened.future(), Duration.ofSeconds(10));
  }

  private static JsonObject next(BlockingQueue<JsonObject> frames, String what) throws InterruptedException {
    JsonObject frame = frames.poll(FRAME_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    if (frame == null) {
      pods.forEach(PodProcess::assertAlive);
      throw new AssertionError("no frame within " + FRAME_TIMEOUT + " for " + what);
    }
    return frame;
  }

  /** Polls /health/ready until 200; fails early with the output of a pod that died. */
  private static void awaitReady(int port) {
    long deadline = System.nanoTime() + READY_DEADLINE.toNanos();
    String last = "no answer";
    while (true) {
      pods.forEach(PodProcess::assertAlive);
      try {
        var response = await(http.get(port, "127.0.0.1", "/health/ready").timeout(2_000).send(), Duration.ofSeconds(5));
        if (response.statusCode() == 200) {
          return;
        }
        last = response.statusCode() + " " + response.bodyAsString();
      } catch (RuntimeException e) {
        last = e.getMessage();
      }
      if (System.nanoTime() > deadline) {
        StringBuilder logs = new StringBuilder();
        pods.forEach(p -> logs.append("\n--- ").append(p.name()).append(":\n").append(p.tail()));
        throw new AssertionError("gateway on port " + port + " not ready within " + READY_DEADLINE + " (last: " + last + ")"
          + logs);
      }
      try {
        TimeUnit.MILLISECONDS.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  private static <T> T await(Future<T> future, Duration timeout) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("no result within " + timeout, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static int freePort(Set<Integer> taken) {
    while (true) {
      try (ServerSocket socket = new ServerSocket(0)) {
        if (taken.add(socket.getLocalPort())) {
          return socket.getLocalPort();
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** A base port in 20000-40000 with {@code count} free ports from it (Hazelcast auto-increments). */
  private static int freePortBlock(int count, Set<Integer> taken) {
    for (int attempt = 0; attempt < 100; attempt++) {
      int base = ThreadLocalRandom.current().nextInt(20_000, 40_000 - count);
      boolean free = true;
      for (int port = base; port < base + count && free; port++) {
        try (ServerSocket ignored = new ServerSocket(port)) {
          free = !taken.contains(port);
        } catch (IOException e) {
          free = false;
        }
      }
      if (free) {
        for (int port = base; port < base + count; port++) {
          taken.add(port);
        }
        return base;
      }
    }
    throw new AssertionError("no block of " + count + " free ports in 20000-40000");
  }
}
