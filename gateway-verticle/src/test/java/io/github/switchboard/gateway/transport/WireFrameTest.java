package io.github.switchboard.gateway.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The frames the gateway writes itself are read back by Netty's client-side decoder (which
 * insists that server frames are unmasked), across the three length encodings of RFC 6455.
 */
class WireFrameTest {

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 125, 126, 127, 65535, 65536, 200_000})
  void textAndBinaryFramesDecodeToThePayload(int size) {
    byte[] payload = new byte[size];
    Arrays.fill(payload, (byte) 'x');
    assertThat(decode(WireFrame.text(ByteBufAllocator.DEFAULT, payload))).isInstanceOfSatisfying(TextWebSocketFrame.class,
      f -> assertThat(ByteBufUtil.getBytes(f.content())).isEqualTo(payload));

    byte[] binary = new byte[size];
    for (int i = 0; i < size; i++) {
      binary[i] = (byte) i;
    }
    assertThat(decode(WireFrame.binary(ByteBufAllocator.DEFAULT, binary))).isInstanceOfSatisfying(BinaryWebSocketFrame.class,
      f -> assertThat(ByteBufUtil.getBytes(f.content())).isEqualTo(binary));
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 125, 126, 65535, 65536})
  void headerIsTheShortestOfTheThreeLengthEncodings(int size) {
    ByteBuf frame = WireFrame.text(ByteBufAllocator.DEFAULT, new byte[size]);
    try {
      int header = size < 126 ? 2 : size <= 65535 ? 4 : 10;
      assertThat(frame.readableBytes()).isEqualTo(header + size);
      assertThat(frame.getUnsignedByte(0)).isEqualTo((short) 0x81);
      assertThat(frame.getUnsignedByte(1) & 0x80).as("server frames are not masked").isZero();
    } finally {
      frame.release();
    }
  }

  private static WebSocketFrame decode(ByteBuf frame) {
    EmbeddedChannel client = new EmbeddedChannel(new WebSocket13FrameDecoder(
      WebSocketDecoderConfig.newBuilder().expectMaskedFrames(false).maxFramePayloadLength(1 << 20).build()));
    assertThat(client.writeInbound(frame)).isTrue();
    WebSocketFrame decoded = client.readInbound();
    assertThat(decoded.isFinalFragment()).isTrue();
    client.finishAndReleaseAll();
    return decoded;
  }
}
