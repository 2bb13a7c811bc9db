package io.github.switchboard.gateway.socket;

import io.github.switchboard.gateway.GatewayOptions;
import io.github.switchboard.gateway.fanout.GroupRegistry;
import io.github.switchboard.gateway.limit.RateLimiter;
import io.github.switchboard.gateway.limit.SlowConsumerPolicy;
import io.github.switchboard.gateway.metrics.GatewayStats;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
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
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A bug while handling one client message (an adapter that throws) costs that message an
 * {@code internal_error} frame; the socket stays open and its next message is handled.
 * The socket's frame handler runs in a Netty channel, with the gateway's real acceptor and writer.
 */
class MessageHandlingFailureTest {

  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  @Test
  void aThrowingAdapterGetsAnInternalErrorFrameAndTheSocketStays() {
    GatewayOptions options = GatewayOptions.from(new JsonObject(), Map.of());
    GatewayStats stats = new GatewayStats(new SimpleMeterRegistry());
    SocketCloser closer = new SocketCloser(vertx, SocketCloser.DEFAULT_GRACE_MS);
    FrameWriter writer = new FrameWriter(stats, new SlowConsumerPolicy(closer, options.slowConsumerCloseMs()), 0);
    RateLimiter rateLimiter = new RateLimiter(options.rateLimitPerSecond(), options.rateLimitBurst());
    SocketAcceptor acceptor = new SocketAcceptor(new Sessions(), new GroupRegistry(vertx, writer, stats, 0),
      writer, stats, closer, rateLimiter, options);

    List<String> handled = new ArrayList<>();
    SocketAdapter adapter = new SocketAdapter() {
      @Override
      public Endpoint endpoint() {
        return Endpoint.MULTIPLEX;
      }

      @Override
      public void open(Session session) {
      }

      @Override
      public void text(Session session, String text) {
        if (text.equals("boom")) {
          throw new IllegalStateException("a bug");
        }
        handled.add(text);
      }
    };

    EmbeddedChannel channel = new EmbeddedChannel();
    Session session = new Session("c1", channel, Endpoint.MULTIPLEX, "/ws", "127.0.0.1", rateLimiter.initialTokens());
    SocketFrameHandler handler = new SocketFrameHandler(acceptor, adapter, session, (ContextInternal) vertx.getOrCreateContext());
    channel.pipeline().addLast(handler);
    handler.opened();

    channel.writeInbound(new TextWebSocketFrame("boom"));
    JsonObject error = new JsonObject(payload(channel.readOutbound()));
    assertThat(error.getString("type")).isEqualTo("error");
    assertThat(error.getString("code")).isEqualTo("internal_error");

    channel.writeInbound(new TextWebSocketFrame("next"));
    assertThat(handled).containsExactly("next");
    assertThat(channel.isActive()).isTrue();
    channel.finishAndReleaseAll();
  }

  /** The text of one unmasked server frame as {@link WireFrame} writes it. */
  private static String payload(ByteBuf frame) {
    try {
      assertThat(frame).as("a frame was written").isNotNull();
      frame.skipBytes(1);
      int length = frame.readByte() & 0x7F;
      if (length == 126) {
        length = frame.readUnsignedShort();
      }
      return frame.readCharSequence(length, StandardCharsets.UTF_8).toString();
    } finally {
      if (frame != null) {
        frame.release();
      }
    }
  }
}
