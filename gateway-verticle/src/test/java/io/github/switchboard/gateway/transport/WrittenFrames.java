package io.github.switchboard.gateway.transport;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Reads back what the gateway wrote to an embedded channel, for the tests of every layer. */
public final class WrittenFrames {

  private WrittenFrames() {
  }

  /** The text of one unmasked server data frame as {@link WireFrame} writes it; releases it. */
  public static String text(Object written) {
    assertThat(written).as("a data frame was written").isInstanceOf(ByteBuf.class);
    ByteBuf frame = (ByteBuf) written;
    try {
      frame.skipBytes(1);
      int length = frame.readByte() & 0x7F;
      if (length == 126) {
        length = frame.readUnsignedShort();
      }
      return frame.readCharSequence(length, StandardCharsets.UTF_8).toString();
    } finally {
      frame.release();
    }
  }
}
