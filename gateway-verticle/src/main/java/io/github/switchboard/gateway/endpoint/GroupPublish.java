package io.github.switchboard.gateway.endpoint;

import io.github.switchboard.gateway.service.ChatClient;
import io.github.switchboard.gateway.stream.StreamErrors;
import io.github.switchboard.gateway.stream.Streams;
import io.github.switchboard.protocol.Delivery;
import io.github.switchboard.protocol.ErrorCode;
import io.github.switchboard.protocol.Groups;
import io.github.switchboard.protocol.ServiceErrors;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.Json;

import java.nio.charset.StandardCharsets;

/**
 * The last step of a client's publish, after every check (rules, token, hooks): a chat room's
 * message goes to the chat service, a stream group's is numbered and stored, a plain group's
 * goes on the event bus. Shared by {@code /ws}, the SockJS event-bus bridge and the server
 * API's publish, so a message takes the same path whichever door it came in by.
 */
public final class GroupPublish {

  /** What the publisher is told: the offset and epoch of a numbered message (-1 and null for a plain group). */
  public record Ack(long offset, String epoch) {
  }

  /** Why a publish was refused or failed, as the client is told. */
  public static final class Failed extends RuntimeException {
    private final ErrorCode code;

    /** @param cause the service's or the store's own failure, which an HTTP caller classifies for its status */
    Failed(ErrorCode code, String message, Throwable cause) {
      super(message, cause, false, false);
      this.code = code;
    }

    public ErrorCode code() {
      return code;
    }
  }

  private final EventBus eventBus;
  private final ChatClient chat;
  private final Streams streams;

  public GroupPublish(EventBus eventBus, ChatClient chat, Streams streams) {
    this.eventBus = eventBus;
    this.chat = chat;
    this.streams = streams;
  }

  /**
   * @param data     the message as JSON text
   * @param senderId the connection id (the publisher's own copy is skipped when it asked so); null for a backend
   * @param sender   who the message is from in a chat room
   * @return the ack, or a {@link Failed} with the code for the client
   */
  public Future<Ack> publish(String group, String data, String senderId, String sender) {
    switch (streams.kind(group)) {
      case CHAT -> {
        // Chat rooms are checked, numbered and stored by the chat service.
        return chat.send(Groups.roomOf(group), sender, Json.decodeValue(data))
          .map(stored -> new Ack(stored.getLong("seq", -1L), stored.getString("epoch")))
          .recover(e -> {
            ServiceErrors.Failure f = ServiceErrors.classify(e);
            return Future.failedFuture(new Failed(f.code(), f.message(), e));
          });
      }
      case STREAM -> {
        return streams.publish(group, delivery(group, data, senderId))
          .map(appended -> new Ack(appended.offset(), appended.epoch()))
          .recover(e -> {
            StreamErrors.Refusal refusal = StreamErrors.refusal(group, e);
            return Future.failedFuture(new Failed(refusal.code(), refusal.message(), e));
          });
      }
      default -> {
        eventBus.publish(Groups.address(group), delivery(group, data, senderId).encode());
        return Future.succeededFuture(new Ack(Delivery.NO_SEQ, null));
      }
    }
  }

  private static Delivery delivery(String group, String data, String senderId) {
    // The hub's protocol sends a message to everyone but its sender; every other group echoes.
    return new Delivery(Delivery.Kind.JSON, Delivery.NO_SEQ, senderId, !Groups.HUB.equals(group),
      System.currentTimeMillis(), data.getBytes(StandardCharsets.UTF_8));
  }
}
