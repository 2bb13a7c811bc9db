package io.github.switchboard.gateway.api;

import io.github.switchboard.gateway.endpoint.GroupPublish;
import io.github.switchboard.gateway.service.ChatClient;
import io.github.switchboard.gateway.stream.StreamGroups;
import io.github.switchboard.gateway.stream.Streams;
import io.github.switchboard.protocol.Delivery;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;


/**
 * A backend's publish to one group, whatever kind of group it is: a chat room goes through the
 * chat service, a stream group through the gateway's sequencing ({@link Streams}), both answered
 * once stored with the message's offset and epoch; a plain group is published on the event bus
 * at once (at most once, no offset). Fails with an {@link ApiError}.
 */
public final class Publisher {

  /** Sender of chat messages published over HTTP. */
  public static final String HTTP_SENDER = "api";

  private final Streams streams;
  private final GroupPublish publish;

  public Publisher(EventBus eventBus, ChatClient chat, Streams streams) {
    this.streams = streams;
    this.publish = new GroupPublish(eventBus, chat, streams);
  }

  /**
   * @param group a valid group name that is not a presence group (checked by the caller)
   * @param data  the decoded JSON value to deliver
   */
  public Future<JsonObject> publish(String group, Object data) {
    return publish.publish(group, Json.encode(data), null, HTTP_SENDER)
      .recover(e -> Future.failedFuture(streams.kind(group) == StreamGroups.Kind.CHAT ? ApiError.ofService(e.getCause())
        : ApiError.ofStream(group, e.getCause())))
      .map(ack -> ack.offset() == Delivery.NO_SEQ ? new JsonObject().put("group", group)
        : stored(group, ack.offset(), ack.epoch()));
  }

  /** The answer to a publish to a stream group: its offset (also as seq) and epoch. */
  private static JsonObject stored(String group, long offset, String epoch) {
    return new JsonObject().put("group", group).put("offset", offset).put("seq", offset).put("epoch", epoch);
  }
}
