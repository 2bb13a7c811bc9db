package io.github.switchboard.gateway.transport;

import io.github.switchboard.gateway.config.LimitOptions;
import io.github.switchboard.gateway.config.SocketOptions;
import io.github.switchboard.gateway.metrics.GatewayStats;
import io.github.switchboard.protocol.ErrorCode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every gate of the inbound policy, through the real frame handler in a Netty channel with the
 * real writer and closer: what passes reaches the layer above, what does not gets its error
 * frame or its close (from the catalogue), counted under its code; a bug while handling one
 * message costs that message an {@code internal_error} frame, not the socket.
 */
class InboundPolicyTest {

  private Vertx vertx;
  private GatewayStats stats;
  private final List<String> handled = new ArrayList<>();
  private final List<String> events = new ArrayList<>();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    stats = new GatewayStats(new SimpleMeterRegistry());
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  /** A socket with the given limits, open, its frame handler in an embedded channel. */
  private TestConnection open(EmbeddedChannel channel, SocketOptions socket, LimitOptions limits) {
    SocketCloser closer = new SocketCloser(vertx, stats, SocketCloser.DEFAULT_GRACE_MS);
    FrameWriter writer = new FrameWriter(stats, closer, 0, socket.slowConsumerCloseMs());
    // Time stands still: the rate limit sees a burst however slow the machine.
    InboundPolicy policy = new InboundPolicy(writer, closer, socket, limits, () -> 1_000_000_000L);
    TestConnection connection = new TestConnection("c1", channel);
    SocketFrameHandler<TestConnection> frames = new SocketFrameHandler<>(policy, writer, new Recorder(),
      connection, (ContextInternal) vertx.getOrCreateContext());
    channel.pipeline().addLast(frames);
    frames.opened();
    return connection;
  }

  @Test
  void aThrowingHandlerGetsAnInternalErrorFrameAndTheSocketStays() {
    EmbeddedChannel channel = new EmbeddedChannel();
    open(channel, SocketOptions.defaults(), LimitOptions.defaults());

    channel.writeInbound(new TextWebSocketFrame("boom"));
    JsonObject error = new JsonObject(WrittenFrames.text(channel.readOutbound()));
    assertThat(error.getString("type")).isEqualTo("error");
    assertThat(error.getString("code")).isEqualTo("internal_error");

    channel.writeInbound(new TextWebSocketFrame("next"));
    assertThat(handled).containsExactly("next");
    assertThat(events).containsExactly("opened", "received", "received");
    assertThat(channel.isActive()).isTrue();
    channel.finishAndReleaseAll();
  }

  @Test
  void aMessageOverTheLimitClosesWith1009EvenWhenItComesInFragments() {
    EmbeddedChannel channel = new EmbeddedChannel();
    SocketOptions socket = new SocketOptions(30_000, 200, 1_000_000, 256 * 1024, 0, 30_000);
    open(channel, socket, LimitOptions.defaults());

    channel.writeInbound(new TextWebSocketFrame(false, 0, Unpooled.copiedBuffer("x".repeat(150), StandardCharsets.UTF_8)));
    channel.writeInbound(new ContinuationWebSocketFrame(true, 0, Unpooled.copiedBuffer("y".repeat(100), StandardCharsets.UTF_8)));
    assertClosed(channel, CloseReason.MESSAGE_TOO_BIG);
    assertThat(handled).isEmpty();
    assertThat(stats.toJson().getJsonObject("errors").getLong("too_large")).isEqualTo(1);
    channel.finishAndReleaseAll();
  }

  @Test
  void textThatIsNotUtf8ClosesWith1007AndBinaryIsHandedOn() {
    EmbeddedChannel channel = new EmbeddedChannel();
    open(channel, SocketOptions.defaults(), LimitOptions.defaults());

    channel.writeInbound(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {(byte) 0xC3, 0x28})));
    assertThat(handled).containsExactly("binary:2");
    channel.writeInbound(new TextWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {(byte) 0xC3, 0x28})));
    assertClosed(channel, CloseReason.INVALID_UTF8);
    assertThat(stats.toJson().getJsonObject("errors").getLong("unsupported_frame")).isEqualTo(1);
    channel.finishAndReleaseAll();
  }

  @Test
  void messagesOverTheRateAreRefusedAndAFloodIsClosedWith1008() {
    EmbeddedChannel channel = new EmbeddedChannel();
    // A bucket of 2 that refills once a second, and no time passes: the third message is refused.
    open(channel, SocketOptions.defaults(), new LimitOptions(1, 2, 3, 10, 10, 10, 1000, 0));

    for (int i = 0; i < 5; i++) {
      channel.writeInbound(new TextWebSocketFrame("m" + i));
    }
    assertThat(handled).containsExactly("m0", "m1");
    for (int i = 0; i < 2; i++) {
      JsonObject refused = new JsonObject(WrittenFrames.text(channel.readOutbound()));
      assertThat(refused.getString("code")).isEqualTo("rate_limited");
    }
    assertClosed(channel, CloseReason.RATE_LIMITED);
    // Two refusal frames and the close, each counted once under rate_limited.
    assertThat(stats.toJson().getJsonObject("errors").getLong("rate_limited")).isEqualTo(3);
    channel.finishAndReleaseAll();
  }

  @Test
  void anExpiredTokenGetsOneUnauthorizedFrameThenClose1008AndTheMessageIsNotHandled() {
    EmbeddedChannel channel = new EmbeddedChannel();
    TestConnection connection = open(channel, SocketOptions.defaults(), LimitOptions.defaults());
    connection.expiresAt(System.currentTimeMillis() - 1);

    channel.writeInbound(new TextWebSocketFrame("late"));
    JsonObject error = new JsonObject(WrittenFrames.text(channel.readOutbound()));
    assertThat(error.getString("code")).isEqualTo("unauthorized");
    assertThat(error.getString("message")).isEqualTo("token expired");
    assertClosed(channel, CloseReason.TOKEN_EXPIRED);
    assertThat(handled).isEmpty();
    assertThat(stats.toJson().getJsonObject("errors").getLong(ErrorCode.UNAUTHORIZED.code())).isEqualTo(1);
    channel.finishAndReleaseAll();
  }

  private static void assertClosed(EmbeddedChannel channel, CloseReason reason) {
    Object out = channel.readOutbound();
    assertThat(out).as("a close frame was written").isInstanceOf(CloseWebSocketFrame.class);
    CloseWebSocketFrame close = (CloseWebSocketFrame) out;
    try {
      assertThat(close.statusCode()).isEqualTo(reason.code());
    } finally {
      close.release();
    }
  }

  /** The layer above: records what reaches it; "boom" is a bug. */
  private final class Recorder implements ConnectionHandler<TestConnection> {
    @Override
    public void opened(TestConnection connection) {
      events.add("opened");
    }

    @Override
    public void received(TestConnection connection) {
      events.add("received");
    }

    @Override
    public void text(TestConnection connection, String text) {
      if (text.equals("boom")) {
        throw new IllegalStateException("a bug");
      }
      handled.add(text);
    }

    @Override
    public void binary(TestConnection connection, byte[] data) {
      handled.add("binary:" + data.length);
    }

    @Override
    public void closed(TestConnection connection) {
      events.add("closed");
    }
  }
}
