package io.github.switchboard.gateway.transport;

import io.github.switchboard.gateway.config.LimitOptions;
import io.github.switchboard.gateway.config.SocketOptions;
import io.github.switchboard.protocol.ErrorCode;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.LongSupplier;

/**
 * Every gate a client's input passes before an endpoint sees it, and what happens to input that
 * does not pass: message size, UTF-8, frames the decoder refused, the rate limit and token
 * expiry. {@link SocketFrameHandler} calls it for each message, {@link KeepAlive} for token
 * expiry on each round. One object per gateway; the per-socket state it keeps lives in the
 * {@link Connection}.
 */
public final class InboundPolicy {

  /** Ten seconds without a refusal and a client's past refusals are forgiven. */
  static final long RATE_QUIET_NANOS = 10_000_000_000L;
  private static final Logger log = LoggerFactory.getLogger(InboundPolicy.class);

  private final FrameWriter writer;
  private final SocketCloser closer;
  private final RateLimiter rateLimiter;
  private final int rateLimitCloseAfter;
  private final int maxMessageBytes;
  /** {@link System#nanoTime}, or a test's clock: a rate test must not depend on the machine's speed. */
  private final LongSupplier nanoClock;

  public InboundPolicy(FrameWriter writer, SocketCloser closer, SocketOptions socket, LimitOptions limits) {
    this(writer, closer, socket, limits, System::nanoTime);
  }

  InboundPolicy(FrameWriter writer, SocketCloser closer, SocketOptions socket, LimitOptions limits, LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
    this.writer = writer;
    this.closer = closer;
    this.rateLimiter = new RateLimiter(limits.rateLimitPerSecond(), limits.rateLimitBurst());
    this.rateLimitCloseAfter = limits.rateLimitCloseAfter();
    this.maxMessageBytes = socket.maxFrameBytes();
  }

  /** The largest message accepted ({@code maxFrameBytes}), also once inflated. */
  int maxMessageBytes() {
    return maxMessageBytes;
  }

  /** A new connection starts with a full bucket. */
  void opened(Connection connection) {
    rateLimiter.fill(connection, nanoClock.getAsLong());
  }

  /**
   * Counts a frame of the message being received; false (and the socket closed with 1009) once
   * the message is over {@code maxFrameBytes}.
   */
  boolean withinSize(Connection connection, int frameBytes, boolean firstFrame) {
    int size = connection.addMessageBytes(frameBytes, firstFrame);
    if (size <= maxMessageBytes) {
      return true;
    }
    if (!connection.closing()) {
      log.info("{} closed: message of {}+ bytes exceeds {}", connection, size, maxMessageBytes);
      closer.close(connection, CloseReason.MESSAGE_TOO_BIG, "message larger than " + maxMessageBytes + " bytes");
    }
    return false;
  }

  /** A text message that is not UTF-8: RFC 6455 closes with 1007. */
  void invalidText(Connection connection) {
    log.info("{} closed: text message is not valid UTF-8", connection);
    closer.close(connection, CloseReason.INVALID_UTF8);
  }

  /** A frame the decoder refused: over the hard cap (1009) or against RFC 6455 (1002). */
  void refusedFrame(Connection connection, WebSocketCloseStatus status, String message) {
    log.info("{} closed: {} ({})", connection, message, status.code());
    closer.close(connection, CloseReason.ofDecoderStatus(status.code()));
  }

  /**
   * Whether a whole message may be handled: the token has not expired and the rate allows it.
   * A message over the rate is refused with a {@code rate_limited} error frame;
   * {@code rateLimitCloseAfter} refusals without a quiet spell of {@link #RATE_QUIET_NANOS}
   * between them close the socket with 1008.
   */
  boolean admit(Connection connection) {
    if (expired(connection, System.currentTimeMillis())) {
      return false;
    }
    long now = nanoClock.getAsLong();
    if (rateLimiter.tryAcquire(connection, now)) {
      return true;
    }
    int violations = connection.rateViolation(now, RATE_QUIET_NANOS);
    if (violations >= rateLimitCloseAfter) {
      log.info("{} closed: {} messages in a row over the rate limit", connection, violations);
      closer.close(connection, CloseReason.RATE_LIMITED);
    } else {
      writer.error(connection, ErrorCode.RATE_LIMITED, "too many messages; slow down", null);
    }
    return false;
  }

  /**
   * Whether a ping or pong from the client may be handled: control frames take a token from
   * the same bucket as messages. One over the rate is dropped without an error frame (an
   * answer per refused ping would be what a flood wants); {@code rateLimitCloseAfter} of them
   * without a quiet spell close the socket with 1008, as for messages.
   */
  boolean admitControl(Connection connection) {
    long now = nanoClock.getAsLong();
    if (rateLimiter.tryAcquire(connection, now)) {
      return true;
    }
    int violations = connection.rateViolation(now, RATE_QUIET_NANOS);
    if (violations >= rateLimitCloseAfter && !connection.closing()) {
      log.info("{} closed: {} control frames in a row over the rate limit", connection, violations);
      closer.close(connection, CloseReason.RATE_LIMITED);
    }
    return false;
  }

  /**
   * Closes a connection whose credentials have expired: an {@code unauthorized} error frame,
   * then 1008. Checked on every message and on every keep-alive round. True when expired.
   */
  boolean expired(Connection connection, long now) {
    if (now < connection.expiresAt()) {
      return false;
    }
    if (!connection.closing()) {
      log.info("{} closed: token expired", connection);
      // Counted once, under the close's code.
      writer.uncountedError(connection, ErrorCode.UNAUTHORIZED, "token expired");
      closer.close(connection, CloseReason.TOKEN_EXPIRED);
    }
    return true;
  }

  /** Handling a message threw: a bug. The client hears of it; the socket stays open. */
  void failed(Connection connection, RuntimeException e) {
    log.error("{} failed to handle a message", connection, e);
    if (!connection.closing()) {
      writer.error(connection, ErrorCode.INTERNAL_ERROR, "the gateway failed to handle the message", null);
    }
  }
}
