package io.github.switchboard.gateway.socket;

import io.github.switchboard.gateway.GatewayOptions;
import io.github.switchboard.gateway.auth.Principal;
import io.github.switchboard.gateway.limit.RateLimiter;
import io.github.switchboard.gateway.metrics.GatewayStats;
import io.github.switchboard.gateway.fanout.GroupRegistry;
import io.github.switchboard.protocol.ErrorCode;
import io.vertx.ext.web.RoutingContext;
import io.github.switchboard.gateway.http.Json;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.net.impl.VertxHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Upgrades an HTTP request to a WebSocket on the same connection and holds what every endpoint
 * shares: session registration, write queue cap, message size, rate and token checks, counting,
 * and leaving all groups on close. Frames are read by {@link SocketFrameHandler}.
 */
public final class SocketAcceptor {

  /** Close code for a message over the size limit (RFC 6455 "message too big"). */
  public static final short TOO_BIG = 1009;
  /** Close code for a text message that is not UTF-8 (RFC 6455 "invalid frame payload data"). */
  public static final short INVALID_PAYLOAD = 1007;
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
  private final WebSocketDecoderConfig decoderConfig;

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
    // Netty's decoder enforces the hard cap from the frame header and reports it (and any other
    // protocol violation) to SocketFrameHandler, which closes through SocketCloser so that the
    // close frame gets its chance before the connection is cut. The configured limit is
    // applied per message by SocketFrameHandler.
    this.decoderConfig = WebSocketDecoderConfig.newBuilder()
      .maxFramePayloadLength(options.frameHardLimitBytes())
      .allowExtensions(false)
      .expectMaskedFrames(true)
      .closeOnProtocolViolation(false)
      .build();
  }

  public void accept(RoutingContext ctx, SocketAdapter adapter, Principal principal) {
    HttpServerRequest request = ctx.request();
    FullHttpRequest handshakeRequest = handshakeRequest(request);
    WebSocketServerHandshaker handshaker = handshakers(request).newHandshaker(handshakeRequest);
    // Draft-00 (no version header) frames differently from RFC 6455 and its drafts 7 and 8.
    if (handshaker == null || handshaker.version() == WebSocketVersion.V00) {
      ctx.response().putHeader("Sec-WebSocket-Version", "13");
      Json.error(ctx, 426, ErrorCode.INVALID_FIELD, "unsupported WebSocket version; this server speaks 13");
      return;
    }
    if (request.getHeader("Sec-WebSocket-Key") == null) {
      Json.error(ctx, 400, ErrorCode.INVALID_FIELD, "missing Sec-WebSocket-Key header");
      return;
    }
    // The upgrade keeps the TCP connection. Netty's handshaker swaps the HTTP codec for the
    // WebSocket one; our frame handler goes in front of Vert.x's HTTP connection handler.
    Channel channel = ((ConnectionBase) request.connection()).channel();
    var remote = request.remoteAddress();
    Session session = new Session(sessions.newId(), channel, adapter.endpoint(), request.path(),
      remote == null ? "" : remote.host(), rateLimiter.initialTokens());
    session.principal(principal);
    SocketFrameHandler handler = new SocketFrameHandler(this, adapter, session, ((ConnectionBase) request.connection()).context());
    HttpConnectionRelease release = HttpConnectionRelease.of(request);
    ChannelPipeline pipeline = channel.pipeline();
    ChannelHandlerContext vertxHandler = pipeline.context(VertxHandler.class);
    if (vertxHandler == null) {
      log.warn("WebSocket upgrade on {}: connection already closed", request.path());
      return;
    }
    pipeline.addBefore(vertxHandler.name(), "switchboard-socket", handler);
    ChannelFuture handshake;
    try {
      handshake = handshaker.handshake(channel, handshakeRequest);
    } catch (RuntimeException e) {
      // Refused before anything was written: the connection is still plain HTTP.
      pipeline.remove(handler);
      Json.error(ctx, 400, ErrorCode.INVALID_FIELD, "WebSocket handshake refused: " + e.getMessage());
      return;
    }
    handshake.addListener(done -> {
      if (done.isSuccess()) {
        handler.context().dispatch(session, s -> opened(s, handler, adapter));
        // Later, not now: this may run inside Vert.x's handling of the upgrade request.
        channel.eventLoop().execute(() -> takeOver(channel, handler, release, request));
      } else {
        log.debug("WebSocket upgrade on {} failed: {}", request.path(), done.cause().toString());
        channel.close();
      }
    });
  }

  /**
   * Takes Vert.x's HTTP connection handler out of an open socket's pipeline, with the
   * connection and upgrade request it holds. A connection that closed first was closed by
   * Vert.x's handler as usual.
   */
  private static void takeOver(Channel channel, SocketFrameHandler handler, HttpConnectionRelease release,
                               HttpServerRequest request) {
    ChannelHandlerContext vertxHandler = channel.pipeline().context(VertxHandler.class);
    if (!channel.isActive() || vertxHandler == null) {
      return;
    }
    channel.pipeline().remove(vertxHandler.handler());
    release.tookOver(request);
    handler.tookOver(release);
  }

  /** Netty's view of the upgrade request: the same method, URI and headers, no body. */
  private static FullHttpRequest handshakeRequest(HttpServerRequest request) {
    DefaultHttpHeaders headers = new DefaultHttpHeaders(false);
    request.headers().forEach(header -> headers.add(header.getKey(), header.getValue()));
    return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, request.uri(), Unpooled.EMPTY_BUFFER,
      headers, EmptyHttpHeaders.INSTANCE);
  }

  private WebSocketServerHandshakerFactory handshakers(HttpServerRequest request) {
    // No extensions: a message is framed once for every socket, so none is compressed per socket.
    return new WebSocketServerHandshakerFactory("ws://" + request.authority() + request.path(), null,
      decoderConfig);
  }

  private void opened(Session session, SocketFrameHandler handler, SocketAdapter adapter) {
    // The write queue cap is the channel's high-water mark: FrameWriter drops while it is exceeded.
    session.channel().config().setWriteBufferWaterMark(new WriteBufferWaterMark(writeQueueMaxBytes / 2, writeQueueMaxBytes));
    ChannelHandlerContext encoder = session.channel().pipeline().context(WebSocketFrameEncoder.class);
    if (encoder != null) {
      session.dataOut(encoder);
    }
    sessions.add(session);
    stats.connectionOpened(adapter.endpoint());
    handler.opened();
    log.debug("{} opened from {}", session, session.remoteHost());
    adapter.open(session);
  }

  int maxMessageBytes() {
    return maxMessageBytes;
  }

  void text(Session session, SocketAdapter adapter, String text) {
    stats.messageIn(session.endpoint());
    if (admitted(session)) {
      adapter.text(session, text);
    }
  }

  void binary(Session session, SocketAdapter adapter, byte[] data) {
    stats.messageIn(session.endpoint());
    if (admitted(session)) {
      adapter.binary(session, Buffer.buffer(data), writer);
    }
  }

  void closed(Session session, SocketAdapter adapter) {
    session.closing(true);
    session.closed(true);
    adapter.closed(session);
    groups.leaveAll(session);
    sessions.remove(session);
    log.debug("{} closed with {}", session, session.closeCode());
  }

  /** A frame the decoder refused: over the hard cap (1009) or against RFC 6455 (1002). */
  void protocolViolation(Session session, WebSocketCloseStatus status, String message) {
    log.info("{} closed: {} ({})", session, message, status.code());
    stats.error(status.code() == TOO_BIG ? ErrorCode.TOO_LARGE : ErrorCode.UNSUPPORTED_FRAME);
    closer.close(session, (short) status.code(), status.reasonText());
  }

  /** Handling a message threw: a bug. The client hears of it; the socket stays open. */
  void failed(Session session, RuntimeException e) {
    log.error("{} failed to handle a message", session, e);
    if (!session.closing()) {
      writer.error(session, ErrorCode.INTERNAL_ERROR, "the gateway failed to handle the message", null);
    }
  }

  /** A text message that is not UTF-8: RFC 6455 closes with 1007. */
  void invalidText(Session session) {
    log.info("{} closed: text message is not valid UTF-8", session);
    stats.error(ErrorCode.UNSUPPORTED_FRAME);
    closer.close(session, INVALID_PAYLOAD, "text message is not valid UTF-8");
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

  void tooLarge(Session session, int size) {
    if (session.closing()) {
      return;
    }
    log.info("{} closed: message of {}+ bytes exceeds {}", session, size, maxMessageBytes);
    stats.error(ErrorCode.TOO_LARGE);
    closer.close(session, TOO_BIG, "message larger than " + maxMessageBytes + " bytes");
  }
}
