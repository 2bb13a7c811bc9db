package io.github.switchboard.gateway.socket;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a socket with a code and reason, and makes sure it really goes: a close frame queued
 * behind data the client does not read (a slow or dead peer) would never be sent, so after a
 * grace period the TCP connection is cut.
 */
public final class SocketCloser {

  public static final long DEFAULT_GRACE_MS = 1_000;
  private static final Logger log = LoggerFactory.getLogger(SocketCloser.class);

  private final Vertx vertx;
  private final long graceMs;

  public SocketCloser(Vertx vertx, long graceMs) {
    this.vertx = vertx;
    this.graceMs = graceMs;
  }

  public void close(Session session, short code, String reason) {
    if (session.closing()) {
      return;
    }
    session.closing(true);
    // The client answers with its own close frame and SocketFrameHandler then ends the connection.
    session.channel().writeAndFlush(new CloseWebSocketFrame(code, reason), session.channel().voidPromise());
    vertx.setTimer(graceMs, id -> {
      if (!session.closed()) {
        log.debug("{} did not complete the close handshake in {} ms, cutting the connection", session, graceMs);
        cut(session);
      }
    });
  }

  /**
   * A close through the whole pipeline passes Vert.x's connection handler, which waits for
   * queued writes to flush; that never happens for a peer that stopped reading. A close started
   * at the head of the pipeline goes straight to the transport.
   */
  private static void cut(Session session) {
    ChannelHandlerContext first = session.channel().pipeline().firstContext();
    if (first != null) {
      first.close();
    } else {
      session.channel().close();
    }
  }
}
