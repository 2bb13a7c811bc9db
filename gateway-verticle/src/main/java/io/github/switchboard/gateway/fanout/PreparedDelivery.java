package io.github.switchboard.gateway.fanout;

import io.github.switchboard.gateway.transport.WireFrame;
import io.github.switchboard.protocol.Delivery;
import io.github.switchboard.protocol.ServerFrames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * A delivery as this gateway writes it, down to the bytes on the wire: the payload as
 * published (for the seed endpoints) and the {@code /ws} envelope, each serialized and framed
 * at most once however many sockets receive it. The frames are reference counted: {@link
 * #release()} after the fan-out drops this delivery's own reference, and the memory returns to
 * the pool when the last socket has written it.
 */
final class PreparedDelivery {

  private final String group;
  private final Delivery delivery;
  private final ByteBufAllocator alloc;
  private ByteBuf envelopeFrame;
  private ByteBuf rawFrame;

  PreparedDelivery(String group, Delivery delivery, ByteBufAllocator alloc) {
    this.group = group;
    this.delivery = delivery;
    this.alloc = alloc;
  }

  Delivery delivery() {
    return delivery;
  }

  /** The {@code /ws} envelope {@code {"type":"message","group":..,...}} as one text frame. */
  ByteBuf envelopeFrame() {
    if (envelopeFrame == null) {
      envelopeFrame = WireFrame.text(alloc, ServerFrames.message(group, delivery));
    }
    return envelopeFrame;
  }

  /** The payload as published: a binary frame for a binary message, else a text frame. */
  ByteBuf rawFrame() {
    if (rawFrame == null) {
      rawFrame = delivery.kind() == Delivery.Kind.BINARY
        ? WireFrame.binary(alloc, delivery.payload())
        : WireFrame.text(alloc, delivery.payload());
    }
    return rawFrame;
  }

  void release() {
    if (envelopeFrame != null) {
      envelopeFrame.release();
    }
    if (rawFrame != null) {
      rawFrame.release();
    }
  }
}
