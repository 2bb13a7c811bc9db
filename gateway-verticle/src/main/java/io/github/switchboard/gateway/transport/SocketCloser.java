package io.github.switchboard.gateway.transport;

import io.github.switchboard.gateway.metrics.GatewayStats;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;

/**
 * The one way the gateway closes a socket: a close frame with a {@link CloseReason}, counted
 * under the reason's error code, and a guarantee that the socket really goes. A close frame
 * queued behind data the client does not read (a slow or dead peer) would never be sent, so
 * after a grace period the TCP connection is cut.
 */
public final class SocketCloser {

  /** How long a client has to answer our close frame before the connection is cut. */
  public static final long DEFAULT_GRACE_MS = 1_000;
  private static final Logger log = LoggerFactory.getLogger(SocketCloser.class);

  private final Vertx vertx;
  private final GatewayStats stats;
  private final long graceMs;

  public SocketCloser(Vertx vertx, GatewayStats stats, long graceMs) {
    this.vertx = vertx;
    this.stats = stats;
    this.graceMs = graceMs;
  }

  public void close(Connection connection, CloseReason reason) {
    close(connection, reason, reason.reason());
  }

  /**
   * Closes with the reason's code and a more precise text (at most 123 bytes of UTF-8, the
   * room a close frame has). Does nothing for a socket already closing.
   */
  public void close(Connection connection, CloseReason reason, String text) {
    close(connection, reason, reason.code(), text);
  }

  /**
   * Closes with a code of the reason's range that its caller chose (a backend's disconnect,
   * {@link CloseReason#ofBackendCode}).
   */
  public void close(Connection connection, CloseReason reason, int code, String text) {
    if (connection.closing()) {
      return;
    }
    connection.closing(true);
    if (reason.countedAs() != null) {
      stats.error(reason.countedAs());
    }
    log.debug("{} closing with {} {}", connection, code, reason);
    if (connection.framing().streaming()) {
      endStream(connection, code, text);
      return;
    }
    // The client answers with its own close frame and SocketFrameHandler then ends the connection.
    connection.channel().writeAndFlush(new CloseWebSocketFrame(code, text), connection.channel().voidPromise());
    vertx.setTimer(graceMs, id -> {
      if (!connection.closed()) {
        log.debug("{} did not complete the close handshake in {} ms, cutting the connection", connection, graceMs);
        cut(connection);
      }
    });
  }

  /**
   * An HTTP stream has no close frame: its last message says why it ends (the same code and
   * reason a WebSocket close would carry, so a client applies the same reconnect rule), then the
   * chunked response ends and the connection closes once that is written, or after the grace
   * time when the peer does not read.
   */
  private void endStream(Connection connection, int code, String text) {
    Channel channel = connection.channel();
    String last = new JsonObject().put("type", "close").put("code", code).put("reason", text).encode();
    channel.write(connection.framing().text(channel.alloc(), last.getBytes(StandardCharsets.UTF_8)));
    channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
    vertx.setTimer(graceMs, id -> {
      if (!connection.closed()) {
        cut(connection);
      }
    });
  }

  /**
   * A close through the whole pipeline passes Vert.x's connection handler, which waits for
   * queued writes to flush; that never happens for a peer that stopped reading. A close started
   * at the head of the pipeline goes straight to the transport.
   */
  private static void cut(Connection connection) {
    ChannelHandlerContext first = connection.channel().pipeline().firstContext();
    if (first != null) {
      first.close();
    } else {
      connection.channel().close();
    }
  }
}
