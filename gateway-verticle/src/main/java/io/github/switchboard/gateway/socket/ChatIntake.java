package io.github.switchboard.gateway.socket;

import io.github.switchboard.protocol.Addresses;
import io.github.switchboard.protocol.ErrorCode;
import io.github.switchboard.protocol.ServiceErrors;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.LongConsumer;

/**
 * Hands a client's chat message to the chat service, which validates, numbers, stores and
 * publishes it. The gateway never publishes chat messages itself: the service's sequence is the
 * order every socket sees.
 */
public final class ChatIntake {

  private static final Logger log = LoggerFactory.getLogger(ChatIntake.class);

  private final EventBus eventBus;
  private final FrameWriter writer;
  private final DeliveryOptions options;

  public ChatIntake(EventBus eventBus, FrameWriter writer, long timeoutMs) {
    this.eventBus = eventBus;
    this.writer = writer;
    this.options = new DeliveryOptions().setSendTimeout(timeoutMs);
  }

  /**
   * @param message  the client's message: a string from the seed endpoint, any JSON value from
   *                 {@code /ws} (the service says what it accepts)
   * @param onStored    receives the stored message's seq
   */
  public void send(Session session, String room, Object message, Object requestId, LongConsumer onStored) {
    JsonObject request = new JsonObject()
      .put("room", room)
      .put("sender", session.id())
      .put("message", message);
    eventBus.<JsonObject>request(Addresses.CHAT_INTAKE, request, options)
      .onSuccess(reply -> onStored.accept(reply.body().getLong("seq", -1L)))
      .onFailure(e -> {
        ServiceErrors.Failure failure = ServiceErrors.classify(e);
        if (failure.code() == ErrorCode.SERVICE_UNAVAILABLE || failure.code() == ErrorCode.INTERNAL_ERROR) {
          log.warn("{} room={} chat service failed: {}", session, room, e.getMessage());
        }
        writer.error(session, failure.code(), failure.message(), requestId);
      });
  }
}
