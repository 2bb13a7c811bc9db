package io.github.switchboard.gateway.socket;

import io.github.switchboard.gateway.metrics.GatewayStats;
import io.github.switchboard.gateway.limit.SlowConsumerPolicy;
import io.github.switchboard.protocol.ErrorCode;
import io.github.switchboard.protocol.ProtocolException;
import io.github.switchboard.protocol.ServerFrames;
import io.github.switchboard.protocol.ServiceErrors;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.vertx.core.http.WebSocketFrameType;

import java.nio.charset.StandardCharsets;

/**
 * The only place that writes data frames to sockets. Every write passes the slow-consumer
 * check, and a frame serialized once is written to many sockets without being encoded again.
 *
 * <p>Data frames are written to the socket's Netty channel as finished WebSocket frames
 * ({@link WireFrame}); a fan-out writes a view of one buffer to every socket, with the void
 * promise, so a delivery allocates per socket only that view and Netty's queue entry. The
 * {@link FlushCoalescer} decides when the socket is flushed: at once while the event loop is
 * idle, once for all messages queued behind a backlog, or after {@code flushDelayMs}.
 * Replies are flushed at once (a ping's round trip must not wait for a fan-out). Control
 * frames (ping, pong, close) go through Netty's WebSocket encoder; they may interleave with
 * data frames anywhere, as RFC 6455 allows. Everything here runs on the event loop of the
 * socket's channel.
 */
public final class FrameWriter {

  private final GatewayStats stats;
  private final SlowConsumerPolicy slowConsumers;
  private final FlushCoalescer coalescer;

  /** {@code flushDelayMs}: longest a delivery waits for its socket's flush (0: no timer). */
  public FrameWriter(GatewayStats stats, SlowConsumerPolicy slowConsumers, int flushDelayMs) {
    this.stats = stats;
    this.slowConsumers = slowConsumers;
    this.coalescer = new FlushCoalescer(flushDelayMs);
  }

  /**
   * Writes a frame shared by many sockets (a fan-out): each socket gets a view of the same
   * bytes. The caller keeps its own reference and releases it after the last socket.
   */
  public void writeShared(Session session, ByteBuf frame) {
    if (admit(session)) {
      coalescer.writeLater(session, frame.retainedDuplicate());
      stats.messageOut(frame.readableBytes());
    }
  }

  /** Writes a message to one socket as one text or binary frame (a history replay, one by one). */
  public void write(Session session, WebSocketFrameType type, byte[] bytes) {
    if (admit(session)) {
      ByteBufAllocator alloc = session.channel().alloc();
      ByteBuf frame = type == WebSocketFrameType.BINARY ? WireFrame.binary(alloc, bytes) : WireFrame.text(alloc, bytes);
      stats.messageOut(frame.readableBytes());
      coalescer.writeLater(session, frame);
    }
  }

  /** A reply or control frame for one socket, under the same queue limit as deliveries. */
  public void reply(Session session, String text) {
    if (admit(session)) {
      ByteBuf frame = WireFrame.text(session.channel().alloc(), text.getBytes(StandardCharsets.UTF_8));
      stats.replyOut(frame.readableBytes());
      send(session, frame);
    }
  }

  /**
   * A socket being closed (by either side; once a close frame has passed, no data frame may
   * follow) is skipped until its close handler removes it from
   * its groups; a socket whose queue is over its cap has the write dropped and counted.
   */
  private boolean admit(Session session) {
    Channel channel = session.channel();
    if (session.closing() || !channel.isActive()) {
      return false;
    }
    if (!channel.isWritable()) {
      stats.messageDropped();
      slowConsumers.dropped(session, System.currentTimeMillis());
      return false;
    }
    return true;
  }

  private static void send(Session session, ByteBuf frame) {
    // The void promise: no future object per write; a failed write closes the channel through
    // the pipeline, and the socket's close handler cleans up.
    session.dataOut().writeAndFlush(frame, session.channel().voidPromise());
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
