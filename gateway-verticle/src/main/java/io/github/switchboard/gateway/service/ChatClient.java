package io.github.switchboard.gateway.service;

import io.github.switchboard.protocol.Addresses;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's side of the chat service. The gateway never publishes chat messages itself:
 * the service numbers, stores and publishes them, so its seq is the order every socket sees.
 * Every chat instance takes messages; this gateway sends a room's messages one at a time (the
 * next when the previous is answered), so that two messages a client sends in order are stored
 * in that order even when the event bus hands them to two instances.
 * Failures are {@link io.vertx.core.eventbus.ReplyException}s; {@link
 * io.github.switchboard.protocol.ServiceErrors#classify} turns them into error codes.
 */
public final class ChatClient {

  private final EventBus eventBus;
  private final DeliveryOptions options;
  private final Timer intakeTime;
  /** Per room with a message under way: the last one sent; the next waits for it. */
  private final Map<String, Future<JsonObject>> roomTails = new HashMap<>();

  public ChatClient(EventBus eventBus, long timeoutMs, MeterRegistry registry) {
    this.eventBus = eventBus;
    this.options = new DeliveryOptions().setSendTimeout(timeoutMs);
    // With the chat service's own switchboard.chat.store, this splits a message's way into the
    // event-bus round trip and the store (docs/benchmarks.md, the per-hop breakdown).
    this.intakeTime = Timer.builder("switchboard.service.request")
      .description("From a request to a service over the event bus to its answer, as this gateway sees it")
      .tag("service", "chat").register(registry);
  }

  /**
   * Hands over a client's message: a string from {@code /ws/chat/{room}}, any JSON value from a
   * {@code /ws} or HTTP publish (the service says what it accepts). Completes with
   * {@code {seq, id}} once the message is stored and published.
   */
  public Future<JsonObject> send(String room, String sender, Object message) {
    JsonObject request = new JsonObject().put("room", room).put("sender", sender).put("message", message);
    Future<JsonObject> previous = roomTails.get(room);
    Future<JsonObject> sent = previous == null ? request(request) : previous.transform(ignored -> request(request));
    roomTails.put(room, sent);
    sent.onComplete(ar -> roomTails.remove(room, sent));
    return sent;
  }

  private Future<JsonObject> request(JsonObject request) {
    long sent = System.nanoTime();
    return eventBus.<JsonObject>request(Addresses.CHAT_INTAKE, request, options).map(reply -> {
      intakeTime.record(System.nanoTime() - sent, TimeUnit.NANOSECONDS);
      return reply.body();
    });
  }

  /** {@code {room: {top, epoch}}} for each of the rooms that has a history now. */
  public Future<JsonObject> positions(java.util.List<String> rooms) {
    JsonObject request = new JsonObject().put("rooms", new io.vertx.core.json.JsonArray(rooms));
    return eventBus.<JsonObject>request(Addresses.CHAT_POSITIONS, request, options).map(reply -> reply.body());
  }

  /** {@code {messages:[...], recovered, epoch, top}}: the room's stored messages with seq > since. */
  public Future<JsonObject> history(String room, long since) {
    JsonObject request = new JsonObject().put("room", room).put("since", since);
    return eventBus.<JsonObject>request(Addresses.CHAT_HISTORY, request, options).map(reply -> reply.body());
  }
}
