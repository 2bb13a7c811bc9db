package io.github.switchboard.gateway.socket;

import io.vertx.core.Vertx;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pings every socket once per interval from one timer per gateway (not one per socket). A
 * socket that has not answered the previous ping with a pong by the next round is closed, and
 * so is one whose token has expired (for a connection that sends nothing, this round is when
 * the expiry is noticed).
 */
public final class KeepAlive {

  /** Close code for a socket that stopped answering pings. */
  public static final short CLOSE_CODE = 1001;
  private static final Logger log = LoggerFactory.getLogger(KeepAlive.class);

  private final Vertx vertx;
  private final Sessions sessions;
  private final long intervalMs;
  private final SocketCloser closer;
  private final SocketAcceptor acceptor;
  private long timerId = -1;

  public KeepAlive(Vertx vertx, Sessions sessions, SocketCloser closer, SocketAcceptor acceptor, long intervalMs) {
    this.closer = closer;
    this.acceptor = acceptor;
    this.vertx = vertx;
    this.sessions = sessions;
    this.intervalMs = intervalMs;
  }

  public void start() {
    timerId = vertx.setPeriodic(intervalMs, id -> round());
  }

  public void stop() {
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
      timerId = -1;
    }
  }

  /** Called when a pong arrives (browsers answer pings on their own). */
  public static void ponged(Session session) {
    session.awaitingPong(false);
  }

  private void round() {
    long now = System.currentTimeMillis();
    for (Session session : sessions.all()) {
      if (session.closing() || acceptor.expired(session, now)) {
        continue;
      }
      if (session.awaitingPong()) {
        log.info("{} closed: no pong within {} ms", session, intervalMs);
        closer.close(session, CLOSE_CODE, "ping timeout");
      } else {
        session.awaitingPong(true);
        session.channel().writeAndFlush(new PingWebSocketFrame(), session.channel().voidPromise());
      }
    }
  }
}
