package io.github.switchboard.gateway;

import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real WebSocket client for tests: records every message it receives, and waits for the
 * next one, or for the close, up to a deadline.
 */
public final class TestSocket implements AutoCloseable {

  public static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** A received message: text or binary. */
  public record Received(boolean binary, String text, Buffer bytes) {
    public JsonObject json() {
      if (binary) {
        throw new AssertionError("expected a text frame, got binary " + bytes);
      }
      return new JsonObject(text);
    }
  }

  private final WebSocketClient client;
  private final WebSocket socket;
  private final LinkedBlockingQueue<Received> received = new LinkedBlockingQueue<>();
  private final CompletableFuture<Short> closed = new CompletableFuture<>();

  private TestSocket(WebSocketClient client, WebSocket socket) {
    this.client = client;
    this.socket = socket;
    socket.textMessageHandler(text -> received.add(new Received(false, text, null)));
    socket.binaryMessageHandler(bytes -> received.add(new Received(true, null, bytes)));
    socket.closeHandler(v -> closed.complete(socket.closeStatusCode()));
  }

  public static TestSocket connect(Vertx vertx, int port, String path) {
    return connect(vertx, port, path, java.util.Map.of());
  }

  /** The same with request headers on the upgrade (a cookie, an origin). */
  public static TestSocket connect(Vertx vertx, int port, String path, java.util.Map<String, String> headers) {
    return connect(vertx, port, path, headers, options());
  }

  /** The client options every test socket uses. */
  public static WebSocketClientOptions options() {
    return new WebSocketClientOptions().setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 22);
  }

  /** The same with client options of its own (one that offers permessage-deflate). */
  public static TestSocket connect(Vertx vertx, int port, String path, java.util.Map<String, String> headers,
                                   WebSocketClientOptions clientOptions) {
    WebSocketClient client = vertx.createWebSocketClient(clientOptions);
    // The handlers must be set before the first frame is read, or a frame the server sends
    // right after the handshake (welcome, INITIAL) is dropped. Connecting from the context's
    // event loop registers the completion callback before the handshake can complete, and the
    // callback then runs on that event loop ahead of any frame. Called from the test thread
    // instead, the callback could be registered after completion and run later than a frame.
    Context context = vertx.getOrCreateContext();
    Promise<TestSocket> opened = Promise.promise();
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("localhost").setPort(port).setURI(path);
    headers.forEach(options::addHeader);
    context.runOnContext(v -> client.connect(options)
      .map(socket -> new TestSocket(client, socket))
      .onComplete(opened));
    return Await.result(opened.future());
  }

  public WebSocket socket() {
    return socket;
  }

  public void send(String text) {
    Await.result(socket.writeTextMessage(text));
  }

  public void send(JsonObject json) {
    send(json.encode());
  }

  public void sendBinary(Buffer bytes) {
    Await.result(socket.writeBinaryMessage(bytes));
  }

  /** Sends one frame regardless of size (writeTextMessage would split a large one). */
  public void sendFrame(WebSocketFrame frame) {
    socket.writeFrame(frame);
  }

  public Received next() {
    try {
      Received r = received.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      if (r == null) {
        throw new AssertionError("no message within " + TIMEOUT);
      }
      return r;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  public JsonObject nextJson() {
    return next().json();
  }

  /** Skips messages until one matches; fails at the deadline. */
  public JsonObject awaitJson(Predicate<JsonObject> match) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      Received r;
      try {
        r = received.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
      if (r != null && !r.binary() && match.test(r.json())) {
        return r.json();
      }
    }
    throw new AssertionError("no matching message within " + TIMEOUT);
  }

  /** Messages received and not yet taken. */
  public int pending() {
    return received.size();
  }

  public short awaitClose() {
    try {
      Short code = closed.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      return code == null ? -1 : code;
    } catch (Exception e) {
      throw new AssertionError("socket not closed within " + TIMEOUT, e);
    }
  }

  public boolean isClosed() {
    return closed.isDone();
  }

  @Override
  public void close() {
    if (!closed.isDone()) {
      socket.close();
    }
    client.close();
  }
}
