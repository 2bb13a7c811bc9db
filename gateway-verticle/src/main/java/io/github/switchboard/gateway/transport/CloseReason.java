package io.github.switchboard.gateway.transport;

import io.github.switchboard.protocol.ErrorCode;

/**
 * Every reason the gateway closes a socket, in one place: the close code (RFC 6455 section
 * 7.4), the reason text of the close frame, the error code the close is counted under in
 * {@code switchboard_errors_total} and {@code /api/stats} (none for ordinary closes), and
 * whether a client should reconnect after it. docs/protocol.md ("Close codes") lists the same
 * table, and the JavaScript client's {@code noReconnectCodes} holds the codes whose reasons
 * all say "do not reconnect"; CloseReasonTest keeps the three in step.
 *
 * <p>A close the client starts is not here: it is echoed with the client's own code.
 */
public enum CloseReason {

  /** The gateway is stopping; another gateway will take the client. */
  SHUTDOWN(1001, "server shutting down", null, true),
  /** The previous keep-alive ping got no pong before the next round: the peer is gone or stuck. */
  PING_TIMEOUT(1001, "ping timeout", null, true),
  /** The frame decoder refused a frame that breaks RFC 6455 (bad opcode, unmasked, ...). */
  PROTOCOL_ERROR(1002, "protocol error", ErrorCode.UNSUPPORTED_FRAME, true),
  /** A text message that is not UTF-8. */
  INVALID_UTF8(1007, "text message is not valid UTF-8", ErrorCode.UNSUPPORTED_FRAME, true),
  /**
   * {@code rateLimitCloseAfter} messages refused for the rate without a quiet spell. A client
   * that reconnected at once would be refused again: it should not reconnect by itself.
   */
  RATE_LIMITED(1008, "rate limit exceeded", ErrorCode.RATE_LIMITED, false),
  /**
   * The connection's token expired (after an {@code unauthorized} error frame). Reconnecting
   * with the same token is refused; a client that can get a fresh one reconnects with it.
   */
  TOKEN_EXPIRED(1008, "token expired", ErrorCode.UNAUTHORIZED, false),
  /** A message over {@code maxFrameBytes}, or a frame over {@code frameHardLimitBytes}. */
  MESSAGE_TOO_BIG(1009, "message too big", ErrorCode.TOO_LARGE, true),
  /**
   * This gateway sees too little of the cluster to serve (a network split, a freeze): the
   * client reconnects, to another gateway, and recovers its streams with {@code since}.
   */
  CLUSTER_UNREACHABLE(1012, "cut off from the cluster", ErrorCode.SERVICE_UNAVAILABLE, true),
  /** Deliveries kept being dropped for {@code slowConsumerCloseMs}: the client does not read. */
  SLOW_CONSUMER(1013, "slow consumer", null, true),
  /**
   * The application's backend disconnected the user (server API) and lets the client come back
   * (a code from 4000 to 4499 chosen by the backend; 4000 when it chose none).
   */
  DISCONNECTED(4000, "disconnected by the server", null, true),
  /**
   * The backend disconnected the user and the client must not come back by itself (a revoked
   * token, a banned user: codes 4500 to 4999; 4500 when the backend chose none).
   */
  DISCONNECTED_FOR_GOOD(4500, "disconnected by the server, do not reconnect", null, false);

  /** The codes a backend may choose when it disconnects a user: 4000-4499 reconnect, 4500-4999 do not. */
  public static final int MIN_BACKEND_CODE = 4000;
  public static final int MAX_BACKEND_CODE = 4999;

  private final short code;
  private final String reason;
  private final ErrorCode countedAs;
  private final boolean reconnect;

  CloseReason(int code, String reason, ErrorCode countedAs, boolean reconnect) {
    this.code = (short) code;
    this.reason = reason;
    this.countedAs = countedAs;
    this.reconnect = reconnect;
  }

  /** The status code of the close frame. */
  public short code() {
    return code;
  }

  /** The reason text of the close frame (a caller may give a more precise one). */
  public String reason() {
    return reason;
  }

  /** The error code this close is counted under; null when it is not counted as an error. */
  public ErrorCode countedAs() {
    return countedAs;
  }

  /** Whether a client should reconnect (with backoff) after this close. */
  public boolean reconnect() {
    return reconnect;
  }

  /**
   * Which of the backend's two reasons a code it chose for a disconnect falls under.
   *
   * @throws IllegalArgumentException when the code is outside 4000-4999
   */
  public static CloseReason ofBackendCode(int code) {
    if (code < MIN_BACKEND_CODE || code > MAX_BACKEND_CODE) {
      throw new IllegalArgumentException("a disconnect code must be from " + MIN_BACKEND_CODE + " to " + MAX_BACKEND_CODE);
    }
    return code < DISCONNECTED_FOR_GOOD.code ? DISCONNECTED : DISCONNECTED_FOR_GOOD;
  }

  /**
   * The reason for a frame Netty's decoder refused, from the status it reports: too big, not
   * UTF-8, or any other breach of RFC 6455.
   */
  public static CloseReason ofDecoderStatus(int statusCode) {
    return switch (statusCode) {
      case 1009 -> MESSAGE_TOO_BIG;
      case 1007 -> INVALID_UTF8;
      default -> PROTOCOL_ERROR;
    };
  }
}
