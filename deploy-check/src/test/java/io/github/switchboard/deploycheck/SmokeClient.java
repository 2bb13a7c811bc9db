package io.github.switchboard.deploycheck;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the smoke tests ask of running gateways, wherever the pods run (host processes or
 * containers): {@code /health/ready}, and a chat message sent on one gateway's socket that must
 * come back to the sender and reach a socket on another (or the same) gateway. Every wait has a
 * deadline and fails early, with the pods' output, when a pod has died.
 */
final class SmokeClient implements AutoCloseable {

  /** The chat service may still be taking its leadership when the gateways are ready. */
  static final Duration CHAT_DEADLINE = Duration.ofSeconds(45);
  static final Duration FRAME_TIMEOUT = Duration.ofSeconds(15);

  private final List<PodProcess> pods;
  private final Vertx vertx = Vertx.vertx();
  private final WebClient http = WebClient.create(vertx);

  /** {@code pods}: the pods to check alive and whose output a failure shows (read at each check). */
  SmokeClient(List<PodProcess> pods) {
    this.pods = pods;
  }

  /** Polls /health/ready until 200; fails early with the output of a pod that died. */
  void awaitReady(int port, Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
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
        throw new AssertionError("gateway on port " + port + " not ready within " + within + " (last: " + last + ")"
          + logs);
      }
      pause();
    }
  }

  /** How a round trip went: its time from the first send, and the sends it took. */
  record RoundTrip(Duration time, int attempts) {
    String seconds() {
      return String.format("%.2f", time.toNanos() / 1e9);
    }
  }

  /**
   * Socket A on {@code sendPort} sends "hello" to chat room {@code room} (new to the cluster),
   * resending while the chat service is not there yet; A must get it back as seq 1, and socket
   * B on {@code receivePort} (another gateway, or the same one) must get the same message.
   */
  RoundTrip chatRoundTrip(int sendPort, int receivePort, String room) throws InterruptedException {
    WebSocketClient client = vertx.createWebSocketClient();
    BlockingQueue<JsonObject> framesA = new LinkedBlockingQueue<>();
    BlockingQueue<JsonObject> framesB = new LinkedBlockingQueue<>();
    WebSocket a = connect(client, sendPort, room, framesA);
    WebSocket b = connect(client, receivePort, room, framesB);
    try {
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
          // No chat intake yet: the chat service is still joining or taking the chat leadership.
          assertThat(System.nanoTime()).as("chat still unavailable after %s (%d attempts)", CHAT_DEADLINE, attempts)
            .isLessThan(deadline);
          pods.forEach(PodProcess::assertAlive);
          pause();
          continue;
        }
        assertThat(reply.getString("type")).as("frame %s", reply).isEqualTo("chat");
        chat = reply;
      }
      assertThat(chat.getString("message")).isEqualTo("hello");
      assertThat(chat.getString("sender")).isEqualTo(connectionA);
      assertThat(chat.getLong("seq")).isEqualTo(1L);

      JsonObject atB = next(framesB, "the message on the other socket");
      assertThat(atB.getString("type")).as("frame %s", atB).isEqualTo("chat");
      assertThat(atB.getString("message")).isEqualTo("hello");
      assertThat(atB.getString("sender")).isEqualTo(connectionA);
      assertThat(atB.getLong("seq")).isEqualTo(1L);
      assertThat(atB.getString("id")).isEqualTo(chat.getString("id"));
      return new RoundTrip(Duration.ofNanos(System.nanoTime() - sentAt), attempts);
    } finally {
      closeQuietly(a);
      closeQuietly(b);
    }
  }

  /** A close that fails must not hide the assertion that failed before it. */
  private static void closeQuietly(WebSocket socket) {
    try {
      await(socket.close(), Duration.ofSeconds(5));
    } catch (RuntimeException ignored) {
      // The socket is gone either way.
    }
  }

  /**
   * Connects from an event loop so that map() is registered before the handshake completes
   * and sets the handler ahead of the first frame (the welcome); registered from this thread,
   * it could run after the welcome was read and dropped.
   */
  private WebSocket connect(WebSocketClient client, int port, String room, BlockingQueue<JsonObject> frames) {
    Promise<WebSocket> opened = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> client.connect(port, "127.0.0.1", "/ws/chat/" + room + "?welcome=1")
      .map(ws -> {
        ws.textMessageHandler(text -> frames.add(new JsonObject(text)));
        return ws;
      }).onComplete(opened));
    return await(opened.future(), Duration.ofSeconds(10));
  }

  private JsonObject next(BlockingQueue<JsonObject> frames, String what) throws InterruptedException {
    JsonObject frame = frames.poll(FRAME_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    if (frame == null) {
      pods.forEach(PodProcess::assertAlive);
      throw new AssertionError("no frame within " + FRAME_TIMEOUT + " for " + what);
    }
    return frame;
  }

  /** The poll interval of the waits above; each wait is bounded by its own deadline. */
  private static void pause() {
    try {
      TimeUnit.MILLISECONDS.sleep(250);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    await(vertx.close(), Duration.ofSeconds(10));
  }

  static <T> T await(Future<T> future, Duration timeout) {
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
}
