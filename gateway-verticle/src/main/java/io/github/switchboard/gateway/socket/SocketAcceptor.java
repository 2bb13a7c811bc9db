package io.github.switchboard.gateway.socket;

import io.github.switchboard.gateway.GatewayOptions;
import io.github.switchboard.gateway.auth.Principal;
import io.github.switchboard.gateway.limit.RateLimiter;
import io.github.switchboard.gateway.metrics.GatewayStats;
import io.github.switchboard.gateway.fanout.GroupRegistry;
import io.github.switchboard.protocol.ErrorCode;
import io.netty.channel.Channel;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Upgrades an HTTP request to a WebSocket and wires the parts every endpoint shares: session
 * registration, write queue cap, pong tracking, counting, and leaving all groups on close.
 */
public final class SocketAcceptor {

  /** Close code for a message over the size limit (RFC 6455 "message too big"). */
  public static final short TOO_BIG = 1009;
  /** Close code for persistent abuse (RFC 6455 "policy violation"). */
  public static final short POLICY_VIOLATION = 1008;
  /** Ten seconds without a refusal and a client's past refusals are forgiven. */
  static final long RATE_QUIET_NANOS = 10_000_000_000L;
  private static final Logger log = LoggerFactory.getLogger(SocketAcceptor.class);

  private final Sessions sessions;
  private final GroupRegistry groups;
  private final FrameWriter writer;
  private final GatewayStats stats;
  private final int writeQueueMaxBytes;
  private final int maxMessageBytes;
  private final SocketCloser closer;
  private final RateLimiter rateLimiter;
  private final int rateLimitCloseAfter;

  public SocketAcceptor(Sessions sessions, GroupRegistry groups, FrameWriter writer, GatewayStats stats,
                        SocketCloser closer, RateLimiter rateLimiter, GatewayOptions options) {
    this.closer = closer;
    this.rateLimiter = rateLimiter;
    this.rateLimitCloseAfter = options.rateLimitCloseAfter();
    this.sessions = sessions;
    this.groups = groups;
    this.writer = writer;
    this.stats = stats;
    this.writeQueueMaxBytes = options.writeQueueMaxBytes();
    this.maxMessageBytes = options.maxFrameBytes();
  }

  public void accept(RoutingContext ctx, SocketAdapter adapter, Principal principal) {
    // The upgrade keeps the TCP connection: its channel is the socket's for data frames.
    Channel channel = ((ConnectionBase) ctx.request().connection()).channel();
    ctx.request().toWebSocket()
      .onSuccess(socket -> opened(socket, channel, adapter, principal))
      .onFailure(e -> log.debug("WebSocket upgrade on {} failed: {}", ctx.request().path(), e.getMessage()));
  }

  private void opened(ServerWebSocket socket, Channel channel, SocketAdapter adapter, Principal principal) {
    Session session = new Session(sessions.newId(), socket, channel, adapter.endpoint(), rateLimiter.initialTokens());
    session.principal(principal);
    socket.setWriteQueueMaxSize(writeQueueMaxBytes);
    sessions.add(session);
    stats.connectionOpened(adapter.endpoint());
    // Vert.x's own size limits drop the TCP connection without a close frame, so they are set
    // higher (a hard cap) and the configured limit is applied here, with 1009. The frame
    // handler stops a fragmented message early; the message handlers check whole messages.
    socket.frameHandler(frame -> {
      if (frame.isText() || frame.isBinary() || frame.isContinuation()) {
        int size = session.addMessageBytes(frame.binaryData().length(), !frame.isContinuation());
        if (size > maxMessageBytes) {
          tooLarge(session, size);
        }
      }
    });
    socket.textMessageHandler(text -> {
      if (session.closing()) {
        return;
      }
      int size = Utf8.length(text);
      if (size > maxMessageBytes) {
        tooLarge(session, size);
        return;
      }
      stats.messageIn(session.endpoint());
      if (admitted(session)) {
        adapter.text(session, text);
      }
    });
    socket.binaryMessageHandler(data -> {
      if (session.closing()) {
        return;
      }
      if (data.length() > maxMessageBytes) {
        tooLarge(session, data.length());
        return;
      }
      stats.messageIn(session.endpoint());
      if (admitted(session)) {
        adapter.binary(session, data, writer);
      }
    });
    socket.pongHandler(data -> KeepAlive.ponged(session));
    socket.exceptionHandler(e -> log.debug("{} socket error: {}", session, e.getMessage()));
    socket.closeHandler(v -> {
      session.closing(true);
      session.closed(true);
      adapter.closed(session);
      groups.leaveAll(session);
      sessions.remove(session);
      log.debug("{} closed with {}", session, socket.closeStatusCode());
    });
    log.debug("{} opened from {}", session, socket.remoteAddress());
    adapter.open(session);
  }

  /**
   * Applies the rate limit: a message over the rate is refused with a {@code rate_limited}
   * error frame; {@code rateLimitCloseAfter} refusals without a quiet spell of
   * {@link #RATE_QUIET_NANOS} between them close the socket with 1008.
   */
  private boolean admitted(Session session) {
    if (expired(session, System.currentTimeMillis())) {
      return false;
    }
    long now = System.nanoTime();
    if (rateLimiter.tryAcquire(session, now)) {
      return true;
    }
    int violations = session.rateViolation(now, RATE_QUIET_NANOS);
    if (violations >= rateLimitCloseAfter) {
      log.info("{} closed: {} messages in a row over the rate limit", session, violations);
      stats.error(ErrorCode.RATE_LIMITED);
      closer.close(session, POLICY_VIOLATION, "rate limit exceeded");
    } else {
      writer.error(session, ErrorCode.RATE_LIMITED, "too many messages; slow down", null);
    }
    return false;
  }

  /**
   * Closes a connection whose token has expired: an {@code unauthorized} error frame, then 1008.
   * Checked on every message and on every keep-alive round.
   */
  public boolean expired(Session session, long now) {
    Principal principal = session.principal();
    if (principal == null || !principal.expired(now) || session.closing()) {
      return principal != null && principal.expired(now);
    }
    log.info("{} closed: token of {} expired", session, principal.subject());
    writer.error(session, ErrorCode.UNAUTHORIZED, "token expired", null);
    closer.close(session, POLICY_VIOLATION, "token expired");
    return true;
  }

  private void tooLarge(Session session, int size) {
    if (session.closing()) {
      return;
    }
    log.info("{} closed: message of {}+ bytes exceeds {}", session, size, maxMessageBytes);
    stats.error(ErrorCode.TOO_LARGE);
    closer.close(session, TOO_BIG, "message larger than " + maxMessageBytes + " bytes");
  }
}
