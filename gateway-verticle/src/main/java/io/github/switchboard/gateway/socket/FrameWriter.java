package io.github.switchboard.gateway.socket;

import io.github.switchboard.gateway.metrics.GatewayStats;
import io.github.switchboard.gateway.limit.SlowConsumerPolicy;
import io.github.switchboard.protocol.ErrorCode;
import io.github.switchboard.protocol.ProtocolException;
import io.github.switchboard.protocol.ServerFrames;
import io.github.switchboard.protocol.ServiceErrors;
import io.netty.buffer.Unpooled;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;

/**
 * The only place that writes to sockets. Every write passes the slow-consumer check, and a
 * frame serialized once is written to many sockets without being encoded again.
 */
public final class FrameWriter {

  private final GatewayStats stats;
  private final SlowConsumerPolicy slowConsumers;

  public FrameWriter(GatewayStats stats, SlowConsumerPolicy slowConsumers) {
    this.stats = stats;
    this.slowConsumers = slowConsumers;
  }

  /**
   * Writes prepared bytes as one text or binary frame. Vert.x's public API only takes a String
   * for a text frame, which would re-encode the payload for every socket; the frame class
   * takes the bytes as they are. Each socket gets its own wrapper because Netty releases the
   * buffer after writing it.
   */
  public void write(Session session, WebSocketFrameType type, byte[] bytes) {
    // A socket the peer closed is skipped until its close handler removes it from its groups;
    // writing to it would throw and cut the fan-out loop short for the members after it.
    if (session.closing() || session.socket().isClosed()) {
      return;
    }
    if (session.socket().writeQueueFull()) {
      stats.messageDropped();
      slowConsumers.dropped(session, System.currentTimeMillis());
      return;
    }
    try {
      session.socket().writeFrame(new WebSocketFrameImpl(type, Unpooled.wrappedBuffer(bytes), true));
    } catch (IllegalStateException closedMeanwhile) {
      return;
    }
    stats.messageOut();
  }

  /** A reply or control frame for one socket, under the same queue limit as deliveries. */
  public void reply(Session session, String text) {
    if (session.closing() || session.socket().isClosed()) {
      return;
    }
    if (session.socket().writeQueueFull()) {
      stats.messageDropped();
      slowConsumers.dropped(session, System.currentTimeMillis());
      return;
    }
    session.socket().writeTextMessage(text);
  }

  public void error(Session session, ProtocolException e) {
    stats.error(e.code());
    reply(session, ServerFrames.error(e));
  }

  /** An error frame for a failed service request (chat, scores): unavailable, refused, or failed. */
  public void serviceError(Session session, Throwable failure, Object id) {
    ServiceErrors.Failure f = ServiceErrors.classify(failure);
    error(session, f.code(), f.message(), id);
  }

  public void error(Session session, ErrorCode code, String message, Object id) {
    stats.error(code);
    reply(session, ServerFrames.error(code, message, id));
  }
}
