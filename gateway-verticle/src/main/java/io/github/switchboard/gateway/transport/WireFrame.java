package io.github.switchboard.gateway.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * A complete server-to-client WebSocket data frame (RFC 6455 section 5.2) in one buffer.
 *
 * <p>Frames from a server are never masked, so a message's frame is the same bytes for every
 * socket: a fan-out encodes it once and writes a read-only view of the same memory to each
 * socket, instead of letting every socket's encoder allocate and copy header and payload.
 */
public final class WireFrame {

  static final int OPCODE_TEXT = 0x1;
  static final int OPCODE_BINARY = 0x2;
  private static final int FIN = 0x80;
  /** The first reserved bit, which permessage-deflate uses to mark a compressed message. */
  static final int RSV1 = 0x40;

  private WireFrame() {
  }

  public static ByteBuf text(ByteBufAllocator alloc, byte[] utf8) {
    return encode(alloc, OPCODE_TEXT, utf8);
  }

  public static ByteBuf binary(ByteBufAllocator alloc, byte[] bytes) {
    return encode(alloc, OPCODE_BINARY, bytes);
  }

  /**
   * A message compressed with permessage-deflate ({@link PerMessageDeflate#compress}): the frame
   * of its opcode with RSV1 set, which marks a compressed message (RFC 7692 section 6).
   */
  public static ByteBuf compressed(ByteBufAllocator alloc, boolean binary, byte[] deflated) {
    return encode(alloc, (binary ? OPCODE_BINARY : OPCODE_TEXT) | RSV1, deflated);
  }

  /** The size of an unmasked frame with a payload of this many bytes. */
  public static int size(int payloadLength) {
    return payloadLength + (payloadLength < 126 ? 2 : payloadLength <= 0xFFFF ? 4 : 10);
  }

  static ByteBuf encode(ByteBufAllocator alloc, int opcode, byte[] payload) {
    int length = payload.length;
    int header = length < 126 ? 2 : length <= 0xFFFF ? 4 : 10;
    // Direct memory: the transport writes it to the socket without another copy.
    ByteBuf frame = alloc.directBuffer(header + length, header + length);
    frame.writeByte(FIN | opcode);
    if (length < 126) {
      frame.writeByte(length);
    } else if (length <= 0xFFFF) {
      frame.writeByte(126);
      frame.writeShort(length);
    } else {
      frame.writeByte(127);
      frame.writeLong(length);
    }
    frame.writeBytes(payload);
    return frame;
  }
}
