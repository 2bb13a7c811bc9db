package io.github.switchboard.gateway.transport;

import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;

/**
 * Pings every socket once per interval from one timer per gateway (not one per socket). A
 * socket that has not answered the previous ping with a pong by the next round is closed, and
 * so is one whose token has expired (for a connection that sends nothing, this round is when
 * the expiry is noticed).
 */
public final class KeepAlive {

  private static final Logger log = LoggerFactory.getLogger(KeepAlive.class);

  private final Vertx vertx;
  private final Supplier<? extends Collection<? extends Connection>> connections;
  private final long intervalMs;
  private final SocketCloser closer;
  private final InboundPolicy policy;
  private final FrameWriter writer;
  private long timerId = -1;

  /** {@code connections}: the open connections, as a copy the round may walk while some close. */
  public KeepAlive(Vertx vertx, Supplier<? extends Collection<? extends Connection>> connections, SocketCloser closer,
                   InboundPolicy policy, FrameWriter writer, long intervalMs) {
    this.vertx = vertx;
    this.writer = writer;
    this.connections = connections;
    this.closer = closer;
    this.policy = policy;
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

  /** One round, in slices (see {@link Slices}): a ping per socket is a write and a flush each. */
  private void round() {
    long now = System.currentTimeMillis();
    Slices.forEach(vertx, List.copyOf(connections.get()), Slices.DEFAULT_SLICE, connection -> check(connection, now));
  }

  private void check(Connection connection, long now) {
    if (connection.closing() || policy.expired(connection, now)) {
      return;
    }
    if (connection.framing().streaming()) {
      // An HTTP stream cannot answer; a dead peer shows as a failed or blocked write instead.
      writer.keepAlive(connection);
    } else if (connection.awaitingPong()) {
      log.info("{} closed: no pong within {} ms", connection, intervalMs);
      closer.close(connection, CloseReason.PING_TIMEOUT);
    } else {
      // Over its queue cap the ping is dropped: a socket that does not read is not answering
      // either, and the next round closes it.
      connection.awaitingPong(true);
      writer.control(connection, new PingWebSocketFrame());
    }
  }
}
