package io.github.switchboard.gateway.web;

import io.github.switchboard.gateway.Await;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Seed 000's Django backend client, the one fixture of {@code seed-clients/} that is not a
 * browser page: a server-side program that holds a WebSocket to the hub. The seed document
 * (000, "Django to Express WebSocket Server") says, and this class does, just that:
 * <ul>
 *   <li>"Upon receiving text data on the WebSocket, it prints the message and responds with a
 *   JSON-formatted message that includes a greeting and the received message": every text
 *   frame it gets is answered, whatever it is (an error frame of the gateway included), with
 *   {@code {"myMsg":"Hello from Django","message":<the text received>}};</li>
 *   <li>"Sending a message": {@code {"myMsg": "Hello from Django"}} (sent once, on connect);</li>
 *   <li>"It also periodically sends WebSocket pings to maintain the connection".</li>
 * </ul>
 * Filled, as the document does not say: the path ({@code /ws/hub}, the gateway's hub; the seed
 * hub took any path), the key of the received message ({@code message}), when the greeting is
 * sent (on connect), the ping interval (10 s), and that it does not print each message (it
 * counts them; a minute of traffic is thousands). Like Python's websockets client it sends no
 * {@code Origin}. Binary frames are not answered: the seed's consumer handles text.
 */
final class SeedHubDjangoClient implements AutoCloseable {

  static final String GREETING = "Hello from Django";
  static final long PING_INTERVAL_MS = 10_000;

  private final Vertx vertx;
  private final WebSocketClient client;
  private volatile WebSocket socket;
  private final long openedAtNanos = System.nanoTime();
  private volatile long pingTimer = -1;

  final AtomicInteger received = new AtomicInteger();
  final AtomicInteger answered = new AtomicInteger();
  final AtomicInteger pingsSent = new AtomicInteger();
  final AtomicInteger pongs = new AtomicInteger();
  /** The gateway's error frames it got (and answered), by code. */
  final Map<String, AtomicInteger> errorFrames = new ConcurrentHashMap<>();
  private volatile Short closeCode;
  private volatile String closeReason;
  private volatile long closedAtNanos;

  private SeedHubDjangoClient(Vertx vertx, WebSocketClient client) {
    this.vertx = vertx;
    this.client = client;
  }

  static SeedHubDjangoClient connect(Vertx vertx, int port, String path) {
    SeedHubDjangoClient django = new SeedHubDjangoClient(vertx, vertx.createWebSocketClient());
    // Connect from an event loop, so the handlers are in place before the first frame.
    Context context = vertx.getOrCreateContext();
    Promise<Void> opened = Promise.promise();
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(path);
    context.runOnContext(v -> django.client.connect(options).onComplete(ar -> {
      if (ar.succeeded()) {
        django.opened(ar.result());
        opened.complete();
      } else {
        opened.fail(ar.cause());
      }
    }));
    Await.result(opened.future());
    return django;
  }

  private void opened(WebSocket ws) {
    socket = ws;
    ws.textMessageHandler(this::onText);
    ws.pongHandler(payload -> pongs.incrementAndGet());
    ws.closeHandler(v -> {
      closeCode = ws.closeStatusCode();
      closeReason = ws.closeReason();
      closedAtNanos = System.nanoTime();
      vertx.cancelTimer(pingTimer);
    });
    // Sending a message
    ws.writeTextMessage(new JsonObject().put("myMsg", GREETING).encode());
    // Sending a WebSocket ping to maintain the connection
    pingTimer = vertx.setPeriodic(PING_INTERVAL_MS, id -> {
      if (!isClosed()) {
        pingsSent.incrementAndGet();
        ws.writePing(Buffer.buffer("django"));
      }
    });
  }

  private void onText(String text) {
    received.incrementAndGet();
    try {
      JsonObject json = new JsonObject(text);
      if ("error".equals(json.getValue("type"))) {
        errorFrames.computeIfAbsent(String.valueOf(json.getValue("code")), c -> new AtomicInteger()).incrementAndGet();
      }
    } catch (DecodeException | ClassCastException notAnObject) {
      // Not JSON: answered all the same.
    }
    if (!isClosed()) {
      socket.writeTextMessage(new JsonObject().put("myMsg", GREETING).put("message", text).encode());
      answered.incrementAndGet();
    }
  }

  /** Frames received that are not the gateway's error frames: what other hub clients sent. */
  int relayed() {
    return received.get() - errorFrames.values().stream().mapToInt(AtomicInteger::get).sum();
  }

  boolean isClosed() {
    return closeCode != null || closedAtNanos != 0;
  }

  /** "open", or how and when (seconds after connecting) it was closed. */
  String state() {
    if (!isClosed()) {
      return "open";
    }
    return String.format("closed %.1f s after connecting with %s \"%s\"", (closedAtNanos - openedAtNanos) / 1e9,
      closeCode, closeReason);
  }

  String errorSummary() {
    return errorFrames.isEmpty() ? "none" : errorFrames.toString();
  }

  @Override
  public void close() {
    vertx.cancelTimer(pingTimer);
    if (socket != null && !isClosed()) {
      socket.close();
    }
    client.close();
  }
}
