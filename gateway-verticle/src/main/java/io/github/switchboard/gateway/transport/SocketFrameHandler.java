package io.github.switchboard.gateway.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Handler;
import io.vertx.core.internal.ContextInternal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.zip.DataFormatException;

/**
 * Where a socket's frames are read: the Netty handler of one upgraded connection, behind
 * Netty's WebSocket frame decoder. It joins fragments into messages, answers pings and close
 * frames, passes every message through the {@link InboundPolicy} (size, UTF-8, rate, token
 * expiry) and hands the messages that pass to the {@link ConnectionHandler} of the layer
 * above.
 *
 * <p>No Vert.x WebSocket object exists for the connection: those cost about 6 KB per socket,
 * most of it a write queue that our writes (straight to the channel) never use. During the
 * handshake this handler sits in front of Vert.x's HTTP connection handler; once the socket is
 * open, that handler leaves the pipeline and {@link HttpConnectionRelease} closes Vert.x's
 * books on the connection when it ends.
 */
final class SocketFrameHandler<C extends Connection> extends ChannelInboundHandlerAdapter implements Handler<WebSocketFrame> {

  private static final Logger log = LoggerFactory.getLogger(SocketFrameHandler.class);
  /** Close codes from here on are undefined (RFC 6455 section 7.4.2). */
  static final int MAX_CLOSE_CODE = 5000;
  /** The reserved bit permessage-deflate sets on a compressed message's first frame (Netty's rsv() numbering). */
  private static final int RSV1 = 0x4;

  private final InboundPolicy policy;
  private final FrameWriter writer;
  private final ConnectionHandler<C> handler;
  private final C connection;
  /**
   * The connection's Vert.x context. Netty calls this handler outside any Vert.x dispatch;
   * what it hands on runs inside one, as Vert.x's own handlers would: consumers, timers and
   * requests then belong to the gateway's context (not a new one per call), and the
   * blocked-thread checker watches the work.
   */
  private final ContextInternal context;
  /** True once the handshake is done and the connection registered. */
  private boolean open;
  /** Set when Vert.x's connection handler left the pipeline: its part of the close is ours. */
  private HttpConnectionRelease release;
  /** The fragments of a message in progress; null between messages. */
  private ByteBuf partial;
  private boolean partialText;
  /** The message in progress came compressed (RSV1 on its first frame). */
  private boolean partialCompressed;

  SocketFrameHandler(InboundPolicy policy, FrameWriter writer, ConnectionHandler<C> handler, C connection,
                     ContextInternal context) {
    this.policy = policy;
    this.writer = writer;
    this.handler = handler;
    this.connection = connection;
    this.context = context;
  }

  /** The handshake is done: from now on frames are read and the layer above hears of them. */
  void opened() {
    open = true;
    policy.opened(connection);
    handler.opened(connection);
  }

  void tookOver(HttpConnectionRelease value) {
    release = value;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof WebSocketFrame frame)) {
      // Nothing but frames comes after the upgrade; never hand bytes to the HTTP handler.
      ReferenceCountUtil.release(msg);
      return;
    }
    try {
      if (open) {
        context.dispatch(frame, this);
      }
    } finally {
      frame.release();
    }
  }

  /**
   * One frame, inside the connection's context. A bug while handling one message costs that
   * message an {@code internal_error} frame, not the socket.
   */
  @Override
  public void handle(WebSocketFrame frame) {
    try {
      frame(frame);
    } catch (RuntimeException e) {
      policy.failed(connection, e);
    }
  }

  private void frame(WebSocketFrame frame) {
    // Only permessage-deflate's RSV1 has a meaning, and only on a data message's first frame.
    int rsv = frame.rsv();
    boolean first = frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame;
    if (rsv != 0 && (rsv != RSV1 || !first || !connection.deflates())) {
      policy.refusedFrame(connection, WebSocketCloseStatus.PROTOCOL_ERROR,
        "reserved bits " + rsv + " on a " + frame.getClass().getSimpleName());
      return;
    }
    if (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame
      || frame instanceof ContinuationWebSocketFrame) {
      data(frame);
    } else if (frame instanceof PingWebSocketFrame) {
      // A pong is a write the client asks for: rate-limited like a message, and under the
      // socket's queue cap like any other write.
      if (!connection.closing() && policy.admitControl(connection)) {
        writer.control(connection, new PongWebSocketFrame(frame.content().retain()));
      }
    } else if (frame instanceof PongWebSocketFrame) {
      // Alive, whatever the rate says; a pong flood still counts against the limit.
      connection.awaitingPong(false);
      policy.admitControl(connection);
    } else if (frame instanceof CloseWebSocketFrame close) {
      closeReceived(close);
    }
  }

  private void data(WebSocketFrame frame) {
    boolean continuation = frame instanceof ContinuationWebSocketFrame;
    ByteBuf content = frame.content();
    if (connection.closing()) {
      return;
    }
    if (!policy.withinSize(connection, content.readableBytes(), !continuation)) {
      dropPartial();
      return;
    }
    boolean compressed = !continuation && frame.rsv() == RSV1;
    if (!continuation && frame.isFinalFragment()) {
      message(frame instanceof TextWebSocketFrame, compressed, content);
      return;
    }
    if (!continuation) {
      dropPartial();
      partial = Unpooled.buffer(content.readableBytes() * 2);
      partialText = frame instanceof TextWebSocketFrame;
      partialCompressed = compressed;
    }
    if (partial == null) {
      // The decoder refuses a continuation outside a fragmented message; this is belt and braces.
      return;
    }
    partial.writeBytes(content);
    if (frame.isFinalFragment()) {
      ByteBuf whole = partial;
      partial = null;
      try {
        message(partialText, partialCompressed, whole);
      } finally {
        whole.release();
      }
    }
  }

  private void message(boolean text, boolean compressed, ByteBuf content) {
    if (compressed) {
      byte[] inflated;
      try {
        inflated = writer.deflate().inflate(content, policy.maxMessageBytes());
      } catch (DataFormatException e) {
        policy.refusedFrame(connection, WebSocketCloseStatus.PROTOCOL_ERROR, "compressed message is not DEFLATE data");
        return;
      }
      if (inflated == null) {
        // Over the limit once inflated: the same refusal as a message that came that large.
        policy.withinSize(connection, policy.maxMessageBytes() + 1, true);
        return;
      }
      message(text, false, Unpooled.wrappedBuffer(inflated));
      return;
    }
    if (text && !ByteBufUtil.isText(content, StandardCharsets.UTF_8)) {
      policy.invalidText(connection);
      return;
    }
    handler.received(connection);
    if (!policy.admit(connection)) {
      return;
    }
    if (text) {
      handler.text(connection, content.toString(StandardCharsets.UTF_8));
    } else {
      handler.binary(connection, ByteBufUtil.getBytes(content));
    }
  }

  /**
   * A close frame from the client either answers ours (then the connection is done) or starts
   * the closing handshake (then it is echoed with the same code, RFC 6455 section 5.5.1).
   */
  private void closeReceived(CloseWebSocketFrame close) {
    Channel channel = connection.channel();
    connection.closeCode(close.statusCode());
    if (connection.closing()) {
      channel.close();
      return;
    }
    connection.closing(true);
    int code = close.statusCode();
    ByteBuf body;
    if (code < 0) {
      body = Unpooled.EMPTY_BUFFER;
    } else if (code >= MAX_CLOSE_CODE) {
      // RFC 6455 section 7.4.2: no code is defined from 5000; answering with it would echo
      // garbage. Netty's decoder lets these through, so the answer is a protocol error.
      body = channel.alloc().buffer(2).writeShort(CloseReason.PROTOCOL_ERROR.code());
    } else {
      body = channel.alloc().buffer(2).writeShort(code);
    }
    channel.writeAndFlush(new CloseWebSocketFrame(true, 0, body)).addListener(ChannelFutureListener.CLOSE);
  }

  private void closed(C connection) {
    connection.closing(true);
    connection.closed(true);
    handler.closed(connection);
  }

  private void dropPartial() {
    if (partial != null) {
      partial.release();
      partial = null;
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    dropPartial();
    if (open) {
      open = false;
      context.dispatch(connection, this::closed);
    }
    if (release != null) {
      release.closed();
    }
    // Before the take-over, Vert.x's connection handler behind us closes its side and metrics.
    ctx.fireChannelInactive();
  }

  /** The write queue went over its cap or drained: backpressure and the slow-consumer clock. */
  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (open) {
      writer.writabilityChanged(connection);
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (open && cause instanceof CorruptedWebSocketFrameException corrupted) {
      // The decoder stopped at a bad frame (too big, bad opcode, unmasked...) and now discards
      // the rest of the input, so a client still sending sees our close frame, not a reset.
      context.dispatch(connection, s -> policy.refusedFrame(s, corrupted.closeStatus(), corrupted.getMessage()));
      return;
    }
    // A broken connection (reset, I/O error): close it; the close path cleans up.
    log.debug("{} socket error: {}", connection, cause.toString());
    ctx.close();
  }
}
