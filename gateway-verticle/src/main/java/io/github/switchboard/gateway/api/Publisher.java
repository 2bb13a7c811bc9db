package io.github.switchboard.gateway.api;

import io.github.switchboard.gateway.service.ChatClient;
import io.github.switchboard.gateway.stream.Streams;
import io.github.switchboard.protocol.Delivery;
import io.github.switchboard.protocol.Groups;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;

/**
 * A backend's publish to one group, whatever kind of group it is: a chat room goes through the
 * chat service, a stream group through the gateway's sequencing ({@link Streams}), both answered
 * once stored with the message's offset and epoch; a plain group is published on the event bus
 * at once (at most once, no offset). Fails with an {@link ApiError}.
 */
public final class Publisher {

  /** Sender of chat messages published over HTTP. */
  public static final String HTTP_SENDER = "api";

  private final EventBus eventBus;
  private final ChatClient chat;
  private final Streams streams;

  public Publisher(EventBus eventBus, ChatClient chat, Streams streams) {
    this.eventBus = eventBus;
    this.chat = chat;
    this.streams = streams;
  }

  /**
   * @param group a valid group name that is not a presence group (checked by the caller)
   * @param data  the decoded JSON value to deliver
   */
  public Future<JsonObject> publish(String group, Object data) {
    return switch (streams.kind(group)) {
      case CHAT -> chat.send(Groups.roomOf(group), HTTP_SENDER, data)
        .recover(e -> Future.failedFuture(ApiError.ofService(e)))
        .map(stored -> stored(group, stored.getLong("seq"), stored.getString("epoch")));
      case STREAM -> streams.publish(group, Json.encode(data), null)
        .recover(e -> Future.failedFuture(ApiError.ofStream(group, e)))
        .map(appended -> stored(group, appended.offset(), appended.epoch()));
      case PLAIN -> {
        byte[] payload = Json.encode(data).getBytes(StandardCharsets.UTF_8);
        Delivery delivery = new Delivery(Delivery.Kind.JSON, Delivery.NO_SEQ, null, true, System.currentTimeMillis(), payload);
        eventBus.publish(Groups.address(group), delivery.encode());
        yield Future.succeededFuture(new JsonObject().put("group", group));
      }
    };
  }

  /** The answer to a publish to a stream group: its offset (also as seq) and epoch. */
  private static JsonObject stored(String group, long offset, String epoch) {
    return new JsonObject().put("group", group).put("offset", offset).put("seq", offset).put("epoch", epoch);
  }
}
