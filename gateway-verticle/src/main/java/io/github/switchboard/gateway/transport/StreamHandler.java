package io.github.switchboard.gateway.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.internal.ContextInternal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;

/**
 * The Netty handler of one HTTP streaming response (Server-Sent Events or JSON lines) that the
 * transport took over from Vert.x. The response only goes out; the client's messages come in
 * through separate POSTs ({@link #message}), to whichever gateway, and reach this handler on
 * the connection's own event loop. Each passes the same {@link InboundPolicy} as a WebSocket
 * message (size, rate, token expiry) before the layer above hears of it.
 */
public final class StreamHandler<C extends Connection> extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(StreamHandler.class);

  private final InboundPolicy policy;
  private final FrameWriter writer;
  private final ConnectionHandler<C> handler;
  private final C connection;
  private final ContextInternal context;
  private boolean open;
  private HttpConnectionRelease release = HttpConnectionRelease.NONE;

  StreamHandler(InboundPolicy policy, FrameWriter writer, ConnectionHandler<C> handler, C connection,
                ContextInternal context) {
    this.policy = policy;
    this.writer = writer;
    this.handler = handler;
    this.connection = connection;
    this.context = context;
  }

  public C connection() {
    return connection;
  }

  void opened(HttpConnectionRelease value) {
    release = value;
    open = true;
    policy.opened(connection);
    handler.opened(connection);
  }

  /**
   * A text message from the client for this stream, from any thread: it is handled on the
   * connection's event loop, in order with the others of the same caller.
   */
  public void message(String text) {
    context.runOnContext(v -> {
      if (!open || connection.closing()) {
        return;
      }
      try {
        if (!policy.withinSize(connection, text.getBytes(StandardCharsets.UTF_8).length, true)) {
          return;
        }
        handler.received(connection);
        if (policy.admit(connection)) {
          handler.text(connection, text);
        }
      } catch (RuntimeException e) {
        policy.failed(connection, e);
      }
    });
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    // The rest of the GET (its empty last content), or a request pipelined behind it: nothing
    // is read on a streaming response.
    ReferenceCountUtil.release(msg);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (open) {
      open = false;
      context.dispatch(connection, c -> {
        c.closing(true);
        c.closed(true);
        handler.closed(c);
      });
    }
    release.closed();
    ctx.fireChannelInactive();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (open) {
      writer.writabilityChanged(connection);
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("{} stream error: {}", connection, cause.toString());
    ctx.close();
  }
}
