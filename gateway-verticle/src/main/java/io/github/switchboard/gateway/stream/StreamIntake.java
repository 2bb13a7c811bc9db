package io.github.switchboard.gateway.stream;

import io.github.switchboard.protocol.Addresses;
import io.github.switchboard.protocol.ErrorCode;
import io.github.switchboard.protocol.Groups;
import io.github.switchboard.protocol.ServiceErrors;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@value Addresses#STREAM_PUBLISH}: how a service in the cluster publishes to a stream group.
 * A service cannot number a message itself; publishing straight to {@code group.G} would reach
 * the sockets unnumbered and unstored. Every gateway takes these requests (the event bus picks
 * one) and numbers, stores and publishes the message as it does a client's.
 */
public final class StreamIntake {

  private static final Logger log = LoggerFactory.getLogger(StreamIntake.class);

  private final Streams streams;
  private MessageConsumer<JsonObject> consumer;

  public StreamIntake(Streams streams) {
    this.streams = streams;
  }

  public Future<Void> register(EventBus eventBus) {
    consumer = eventBus.consumer(Addresses.STREAM_PUBLISH, this::publish);
    return consumer.completion();
  }

  public Future<Void> unregister() {
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }

  private void publish(Message<JsonObject> request) {
    JsonObject body = request.body();
    String group = body == null ? null : body.getString("group");
    if (group == null || !Groups.isValidName(group)) {
      ServiceErrors.refuse(request, ErrorCode.INVALID_GROUP, "'group' must match [A-Za-z0-9_.:-]{1," + Groups.MAX_NAME_LENGTH + "}");
      return;
    }
    if (streams.kind(group) != StreamGroups.Kind.STREAM) {
      ServiceErrors.refuse(request, ErrorCode.INVALID_GROUP, "'" + group + "' is not a stream group of the gateways"
        + " (chat rooms go to " + Addresses.CHAT_INTAKE + ", plain groups straight to " + Groups.address(group) + ")");
      return;
    }
    if (!body.containsKey("data")) {
      ServiceErrors.refuse(request, ErrorCode.INVALID_FIELD, "missing field 'data'");
      return;
    }
    streams.publish(group, Json.encode(body.getValue("data")), null)
      .onSuccess(appended -> request.reply(new JsonObject().put("group", group).put("offset", appended.offset())
        .put("epoch", appended.epoch())))
      .onFailure(e -> {
        StreamErrors.Refusal refusal = StreamErrors.refusal(group, e);
        if (refusal.code() != ErrorCode.LIMIT_REACHED) {
          log.warn("group={} service publish not stored: {}", group, e.getMessage());
        }
        ServiceErrors.refuse(request, refusal.code(), refusal.message());
      });
  }
}
