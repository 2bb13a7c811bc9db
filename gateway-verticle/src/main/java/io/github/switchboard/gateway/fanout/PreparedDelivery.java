package io.github.switchboard.gateway.fanout;

import io.github.switchboard.gateway.transport.Framing;
import io.github.switchboard.gateway.transport.PerMessageDeflate;
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
  private byte[] envelope;
  private ByteBuf envelopeFrame;
  private ByteBuf rawFrame;
  private ByteBuf eventFrame;
  private ByteBuf lineFrame;

  private final PerMessageDeflate deflate;
  /** The compressed frames (none below deflateMinBytes): made for the first compressing socket. */
  private ByteBuf envelopeDeflated;
  private ByteBuf rawDeflated;
  private boolean envelopeTried;
  private boolean rawTried;
  /** Compressed frames written, and what they would have weighed uncompressed. */
  private int deflatedWrites;
  private long deflatedRawBytes;
  private long deflatedBytes;

  PreparedDelivery(String group, Delivery delivery, ByteBufAllocator alloc, PerMessageDeflate deflate) {
    this.group = group;
    this.delivery = delivery;
    this.alloc = alloc;
    this.deflate = deflate;
  }

  /**
   * The frame one WebSocket gets: the envelope or the payload as published, compressed for a
   * socket that negotiated permessage-deflate when the message is large enough. Each variant
   * is made at most once, whatever the number of sockets.
   */
  ByteBuf frame(boolean envelope, boolean deflates) {
    ByteBuf plain = envelope ? envelopeFrame() : rawFrame();
    if (!deflates) {
      return plain;
    }
    ByteBuf compressed;
    if (envelope) {
      if (!envelopeTried) {
        envelopeTried = true;
        envelopeDeflated = deflate.frame(alloc, false, envelope());
      }
      compressed = envelopeDeflated;
    } else {
      if (!rawTried) {
        rawTried = true;
        rawDeflated = deflate.frame(alloc, delivery.kind() == Delivery.Kind.BINARY, delivery.payload());
      }
      compressed = rawDeflated;
    }
    if (compressed == null) {
      return plain;
    }
    deflatedWrites++;
    deflatedRawBytes += plain.readableBytes();
    deflatedBytes += compressed.readableBytes();
    return compressed;
  }

  Delivery delivery() {
    return delivery;
  }

  /** The {@code /ws} envelope {@code {"type":"message","group":..,...}} as one text frame. */
  ByteBuf envelopeFrame() {
    if (envelopeFrame == null) {
      envelopeFrame = WireFrame.text(alloc, envelope());
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

  /**
   * The {@code /ws} envelope as an HTTP stream writes it (the streams speak {@code /ws}'s
   * protocol): one Server-Sent Event, or one JSON line, shared by every stream of that framing.
   */
  ByteBuf streamFrame(Framing framing) {
    if (framing == Framing.EVENT_STREAM) {
      if (eventFrame == null) {
        eventFrame = framing.text(alloc, envelope());
      }
      return eventFrame;
    }
    if (lineFrame == null) {
      lineFrame = framing.text(alloc, envelope());
    }
    return lineFrame;
  }

  /** The envelope's bytes, serialized once for every framing. */
  private byte[] envelope() {
    if (envelope == null) {
      envelope = ServerFrames.message(group, delivery);
    }
    return envelope;
  }

  void release() {
    deflate.countOut(deflatedWrites, deflatedRawBytes, deflatedBytes);
    if (envelopeDeflated != null) {
      envelopeDeflated.release();
    }
    if (rawDeflated != null) {
      rawDeflated.release();
    }
    if (envelopeFrame != null) {
      envelopeFrame.release();
    }
    if (rawFrame != null) {
      rawFrame.release();
    }
    if (eventFrame != null) {
      eventFrame.release();
    }
    if (lineFrame != null) {
      lineFrame.release();
    }
  }
}
