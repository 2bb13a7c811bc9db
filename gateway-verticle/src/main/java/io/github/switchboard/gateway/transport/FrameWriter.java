package io.github.switchboard.gateway.transport;

import io.github.switchboard.gateway.config.LimitOptions;
import io.github.switchboard.gateway.metrics.GatewayStats;
import io.github.switchboard.protocol.ErrorCode;
import io.github.switchboard.protocol.ProtocolException;
import io.github.switchboard.protocol.ServerFrames;
import io.github.switchboard.protocol.ServiceErrors;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;

import java.nio.charset.StandardCharsets;

/**
 * The only place that writes data frames, pongs and keep-alive pings to sockets (close frames
 * go through {@link SocketCloser}). Every write passes the queue cap ({@link
 * SlowConsumerPolicy}), and a frame serialized once is written to many sockets without being
 * encoded again.
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
  private final long seedErrorIntervalNanos;
  private final SlowConsumerPolicy slowConsumers;
  private final FlushCoalescer coalescer;
  private final PerMessageDeflate deflate;

  /**
   * @param flushDelayMs        longest a delivery waits for its socket's flush (0: no timer)
   * @param slowConsumerCloseMs a socket dropping this long is closed (0: never)
   */
  public FrameWriter(GatewayStats stats, SocketCloser closer, int flushDelayMs, long slowConsumerCloseMs) {
    this(stats, closer, flushDelayMs, slowConsumerCloseMs, LimitOptions.DEFAULT_SEED_ERROR_INTERVAL_MS);
  }

  /** @param seedErrorIntervalMs at most one error frame per this interval on a seed endpoint (0: all) */
  public FrameWriter(GatewayStats stats, SocketCloser closer, int flushDelayMs, long slowConsumerCloseMs,
                     long seedErrorIntervalMs) {
    this(stats, closer, flushDelayMs, slowConsumerCloseMs, seedErrorIntervalMs, PerMessageDeflate.disabled(stats));
  }

  /** @param deflate the gateway's permessage-deflate (shared frames are compressed with it too) */
  public FrameWriter(GatewayStats stats, SocketCloser closer, int flushDelayMs, long slowConsumerCloseMs,
                     long seedErrorIntervalMs, PerMessageDeflate deflate) {
    this.deflate = deflate;
    this.seedErrorIntervalNanos = seedErrorIntervalMs * 1_000_000L;
    this.stats = stats;
    this.slowConsumers = new SlowConsumerPolicy(closer, slowConsumerCloseMs, this);
    this.coalescer = new FlushCoalescer(flushDelayMs);
  }

  /**
   * Writes a frame shared by many sockets (a fan-out): each socket gets a view of the same
   * bytes. The caller keeps its own reference and releases it after the last socket.
   */
  public void writeShared(Connection connection, ByteBuf frame) {
    if (admit(connection)) {
      coalescer.writeLater(connection, frame.retainedDuplicate());
      stats.messageOut(frame.readableBytes());
    }
  }

  /**
   * A shared Server-Sent Event ({@link Framing#EVENT_STREAM} bytes) behind this connection's own
   * {@code id:} line, so that a reconnecting EventSource sends back the connection's position
   * as {@code Last-Event-ID}. With a null id, or on another framing, the same as
   * {@link #writeShared(Connection, ByteBuf)}.
   */
  public void writeShared(Connection connection, String eventId, ByteBuf frame) {
    if (eventId != null && connection.framing() == Framing.EVENT_STREAM && admit(connection)) {
      coalescer.writeLater(connection, Framing.eventId(connection.channel().alloc(), eventId));
      coalescer.writeLater(connection, frame.retainedDuplicate());
      stats.messageOut(frame.readableBytes());
      return;
    }
    writeShared(connection, frame);
  }

  /** A text message for one socket (a history replay), with its event id on a Server-Sent Events stream. */
  public void write(Connection connection, byte[] utf8, String eventId) {
    if (admit(connection)) {
      ByteBuf frame = textFrame(connection, utf8);
      stats.messageOut(frame.readableBytes());
      if (eventId != null && connection.framing() == Framing.EVENT_STREAM) {
        coalescer.writeLater(connection, Framing.eventId(connection.channel().alloc(), eventId));
      }
      coalescer.writeLater(connection, frame);
    }
  }

  /** The gateway's permessage-deflate, for frames shared by many sockets. */
  public PerMessageDeflate deflate() {
    return deflate;
  }

  /** Writes a message to one socket as one text or binary frame (a history replay, one by one). */
  public void write(Connection connection, WebSocketFrameType type, byte[] bytes) {
    if (admit(connection)) {
      ByteBufAllocator alloc = connection.channel().alloc();
      ByteBuf frame = type == WebSocketFrameType.BINARY ? binaryFrame(connection, bytes) : textFrame(connection, bytes);
      stats.messageOut(frame.readableBytes());
      coalescer.writeLater(connection, frame);
    }
  }

  /** A reply with its event id on a Server-Sent Events stream (null: none). */
  public void reply(Connection connection, String text, String eventId) {
    if (eventId != null && connection.framing() == Framing.EVENT_STREAM && admit(connection)) {
      coalescer.writeLater(connection, Framing.eventId(connection.channel().alloc(), eventId));
    }
    reply(connection, text);
  }

  /** A reply or control frame for one socket, under the same queue limit as deliveries. */
  public void reply(Connection connection, String text) {
    if (admit(connection)) {
      ByteBuf frame = textFrame(connection, text.getBytes(StandardCharsets.UTF_8));
      stats.replyOut(frame.readableBytes());
      send(connection, frame);
    }
  }

  /**
   * A control frame for one socket (a pong, a keep-alive ping), under the same queue cap as
   * every other write: a client that makes the gateway answer without reading the answers
   * fills its own queue, then is not read any more (see {@link SlowConsumerPolicy}). Close
   * frames are not written here: a close must get its chance even over the cap
   * ({@link SocketCloser}).
   *
   * @return whether the frame was written (else it was released and counted as dropped)
   */
  public boolean control(Connection connection, WebSocketFrame frame) {
    if (!admit(connection)) {
      frame.release();
      return false;
    }

    stats.replyOut(2 + frame.content().readableBytes());
    // Through the whole pipeline: Netty's WebSocket encoder frames it.
    connection.channel().writeAndFlush(frame, connection.channel().voidPromise());
    return true;
  }

  /**
   * An HTTP stream's stand-in for a ping (it has no control frames): a line its reader skips,
   * so that proxies see traffic and a peer that is gone shows up as a failed write.
   */
  void keepAlive(Connection connection) {
    if (admit(connection)) {
      ByteBuf line = connection.framing().keepAlive(connection.channel().alloc());
      stats.replyOut(line.readableBytes());
      send(connection, line);
    }
  }

  private ByteBuf textFrame(Connection connection, byte[] utf8) {
    return frame(connection, false, utf8);
  }

  private ByteBuf binaryFrame(Connection connection, byte[] bytes) {
    return frame(connection, true, bytes);
  }

  /**
   * A message for one connection in its framing, compressed when the socket deflates and the
   * message is worth it (for one socket: a reply or a replay is compressed for it alone).
   */
  private ByteBuf frame(Connection connection, boolean binary, byte[] bytes) {
    ByteBufAllocator alloc = connection.channel().alloc();
    if (connection.deflates()) {
      ByteBuf compressed = deflate.frame(alloc, binary, bytes);
      if (compressed != null) {
        deflate.countOut(1, WireFrame.size(bytes.length), compressed.readableBytes());
        return compressed;
      }
    }
    return binary ? WireFrame.binary(alloc, bytes) : connection.framing().text(alloc, bytes);
  }

  /** The socket's queue went over its cap or back below its low-water mark. */
  void writabilityChanged(Connection connection) {
    slowConsumers.writabilityChanged(connection, System.currentTimeMillis());
  }

  /**
   * A socket being closed (by either side; once a close frame has passed, no data frame may
   * follow) is skipped until its close handler removes it from
   * its groups; a socket whose queue is over its cap has the write dropped and counted.
   */
  private boolean admit(Connection connection) {
    Channel channel = connection.channel();
    if (connection.closing() || !channel.isActive()) {
      return false;
    }
    if (!channel.isWritable()) {
      stats.messageDropped();
      slowConsumers.dropped(connection, System.currentTimeMillis());
      return false;
    }
    return true;
  }

  private static void send(Connection connection, ByteBuf frame) {
    // The void promise: no future object per write; a failed write closes the channel through
    // the pipeline, and the socket's close handler cleans up.
    connection.dataOut().writeAndFlush(frame, connection.channel().voidPromise());
  }

  public void error(Connection connection, ProtocolException e) {
    stats.error(e.code());
    if (tells(connection, e.code())) {
      reply(connection, ServerFrames.error(e));
    }
  }

  /** An error frame for a failed service request (chat, scores): unavailable, refused, or failed. */
  public void serviceError(Connection connection, Throwable failure, Object id) {
    ServiceErrors.Failure f = ServiceErrors.classify(failure);
    error(connection, f.code(), f.message(), id);
  }

  public void error(Connection connection, ErrorCode code, String message, Object id) {
    stats.error(code);
    if (tells(connection, code)) {
      reply(connection, ServerFrames.error(code, message, id));
    }
  }

  /** An error frame carrying the backend's own code as {@code reason} (null: none). */
  public void error(Connection connection, ErrorCode code, String message, Object id, String reason) {
    stats.error(code);
    if (tells(connection, code)) {
      reply(connection, ServerFrames.error(code, message, id, reason));
    }
  }

  /**
   * Whether an error (already counted) goes to the client as a frame. A seed endpoint's client
   * may answer every frame it gets (the hub's backend client does): it gets no frame for a
   * message refused by the rate limit (answering it would only feed the limit), and at most one
   * error frame per {@code seedErrorIntervalMs} (a second), so no client can loop on our answers. {@code /ws} gets every one: its
   * requests carry ids to match them.
   */
  private boolean tells(Connection connection, ErrorCode code) {
    if (!connection.limitsErrorFrames()) {
      return true;
    }
    if (code == ErrorCode.RATE_LIMITED) {
      return false;
    }
    if (seedErrorIntervalNanos == 0) {
      return true;
    }
    // The interval the clock is in (wrapped to an int, which only ever compares for equality).
    int slot = (int) (System.nanoTime() / seedErrorIntervalNanos);
    if (connection.lastErrorSecond() == slot) {
      return false;
    }
    connection.lastErrorSecond(slot);
    return true;
  }

  /**
   * An error frame that is not counted on its own: the close that follows it is, under the
   * same code (an expired token), or the frame reports what other counters already show
   * (drops).
   */
  void uncountedError(Connection connection, ErrorCode code, String message) {
    reply(connection, ServerFrames.error(code, message, null));
  }
}
