package io.github.switchboard.gateway.fanout;

import io.github.switchboard.protocol.Delivery;
import io.github.switchboard.protocol.ServerFrames;
import io.vertx.core.http.WebSocketFrameType;

/**
 * A delivery as this gateway writes it: the payload as published for the seed endpoints, and
 * the {@code /ws} envelope, each serialized at most once however many sockets receive it.
 */
final class PreparedDelivery {

  private final String group;
  private final Delivery delivery;
  private byte[] envelope;

  PreparedDelivery(String group, Delivery delivery) {
    this.group = group;
    this.delivery = delivery;
  }

  Delivery delivery() {
    return delivery;
  }

  WebSocketFrameType rawType() {
    return delivery.kind() == Delivery.Kind.BINARY ? WebSocketFrameType.BINARY : WebSocketFrameType.TEXT;
  }

  byte[] raw() {
    return delivery.payload();
  }

  byte[] envelope() {
    if (envelope == null) {
      envelope = ServerFrames.message(group, delivery);
    }
    return envelope;
  }
}
