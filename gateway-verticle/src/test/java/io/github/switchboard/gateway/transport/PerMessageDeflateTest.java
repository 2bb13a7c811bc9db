package io.github.switchboard.gateway.transport;

import io.github.switchboard.gateway.config.SocketOptions;
import io.github.switchboard.gateway.metrics.GatewayStats;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * permessage-deflate's negotiation and its two directions, checked against the JDK's own zlib
 * as a client would use it (RFC 7692 section 7.2: a sync flush, its empty block cut off).
 */
class PerMessageDeflateTest {

  private static PerMessageDeflate deflate(boolean on, int minBytes) {
    SocketOptions defaults = SocketOptions.defaults();
    return new PerMessageDeflate(new SocketOptions(defaults.pingIntervalMs(), defaults.maxFrameBytes(),
      defaults.frameHardLimitBytes(), defaults.writeQueueMaxBytes(), defaults.flushDelayMs(),
      defaults.slowConsumerCloseMs(), on, minBytes), new GatewayStats(new SimpleMeterRegistry()));
  }

  @Test
  void acceptsTheOffersBrowsersAndLibrariesMakeAndDeclinesWhatItCannotHonour() {
    PerMessageDeflate deflate = deflate(true, 0);
    assertThat(deflate.accepts("permessage-deflate; client_max_window_bits")).as("Chromium").isTrue();
    assertThat(deflate.accepts("permessage-deflate")).isTrue();
    assertThat(deflate.accepts("x-webkit-deflate-frame, permessage-deflate; server_no_context_takeover")).isTrue();
    assertThat(deflate.accepts("permessage-deflate; server_max_window_bits=15; client_max_window_bits=10")).isTrue();
    assertThat(deflate.accepts("permessage-deflate; server_max_window_bits=10")).as("a smaller window than the shared frames'")
      .isFalse();
    assertThat(deflate.accepts("permessage-deflate; server_max_window_bits=10, permessage-deflate")).as("the second offer")
      .isTrue();
    assertThat(deflate.accepts("permessage-deflate; some_future_param")).isFalse();
    assertThat(deflate.accepts("x-webkit-deflate-frame")).isFalse();
    assertThat(deflate.accepts(null)).isFalse();
    assertThat(deflate(false, 0).accepts("permessage-deflate")).as("turned off").isFalse();
  }

  @Test
  void aCompressedMessageInflatesWithZlibAsAClientDoesAndTheOtherWayRound() throws DataFormatException {
    PerMessageDeflate deflate = deflate(true, 0);
    byte[] message = "{\"type\":\"message\",\"data\":\"".concat("abc".repeat(500)).concat("\"}").getBytes(StandardCharsets.UTF_8);
    byte[] compressed = deflate.compress(message);
    assertThat(compressed.length).isLessThan(message.length / 10);
    Inflater client = new Inflater(true);
    client.setInput(withTail(compressed));
    byte[] out = new byte[message.length + 10];
    assertThat(client.inflate(out)).isEqualTo(message.length);
    assertThat(Arrays.copyOf(out, message.length)).isEqualTo(message);
    // Twice the same message: the same bytes (no context kept), which is what lets sockets share a frame.
    assertThat(deflate.compress(message)).isEqualTo(compressed);

    byte[] fromClient = clientCompress(message);
    assertThat(deflate.inflate(Unpooled.wrappedBuffer(fromClient), 64 * 1024)).isEqualTo(message);
  }

  @Test
  void inflationStopsAtTheLimitAndGarbageIsRefused() {
    PerMessageDeflate deflate = deflate(true, 0);
    byte[] bomb = clientCompress(new byte[4 * 1024 * 1024]);
    assertThat(bomb.length).isLessThan(8 * 1024);
    assertThat(catchNull(() -> deflate.inflate(Unpooled.wrappedBuffer(bomb), 64 * 1024))).isNull();
    assertThatThrownBy(() -> deflate.inflate(Unpooled.wrappedBuffer(new byte[] {(byte) 0xff, 1, 2, 3}), 1024))
      .isInstanceOf(DataFormatException.class);
  }

  @Test
  void messagesBelowTheThresholdAreNotCompressed() {
    PerMessageDeflate deflate = deflate(true, 512);
    assertThat(deflate.frame(io.netty.buffer.ByteBufAllocator.DEFAULT, false, new byte[511])).isNull();
    var frame = deflate.frame(io.netty.buffer.ByteBufAllocator.DEFAULT, false, new byte[512]);
    assertThat(frame).isNotNull();
    assertThat(frame.getByte(0) & 0xff).as("FIN, RSV1, text").isEqualTo(0x80 | 0x40 | 0x1);
    frame.release();
  }

  private interface Inflation {
    byte[] run() throws DataFormatException;
  }

  private static byte[] catchNull(Inflation inflation) {
    try {
      return inflation.run();
    } catch (DataFormatException e) {
      throw new AssertionError(e);
    }
  }

  private static byte[] withTail(byte[] data) {
    byte[] whole = Arrays.copyOf(data, data.length + 4);
    whole[data.length + 2] = (byte) 0xff;
    whole[data.length + 3] = (byte) 0xff;
    return whole;
  }

  /** What a client sends: raw DEFLATE of a sync flush, without the last 4 bytes. */
  private static byte[] clientCompress(byte[] message) {
    Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
    deflater.setInput(message);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[4096];
    int n;
    do {
      n = deflater.deflate(buffer, 0, buffer.length, Deflater.SYNC_FLUSH);
      out.write(buffer, 0, n);
    } while (n == buffer.length);
    deflater.end();
    byte[] all = out.toByteArray();
    return Arrays.copyOf(all, all.length - 4);
  }
}
