package io.github.switchboard.gateway.transport;

import io.github.switchboard.gateway.config.LimitOptions;
import io.github.switchboard.gateway.config.ServerOptions;
import io.github.switchboard.gateway.metrics.GatewayStats;
import io.github.switchboard.protocol.ErrorCode;
import io.github.switchboard.protocol.ServerFrames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.net.impl.VertxHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP side of a connection until it becomes a WebSocket (or closes): the limits a client
 * can otherwise hold a connection open against.
 *
 * <ul>
 *   <li>At accept, the connection counts toward {@code maxConnections} and
 *   {@code maxConnectionsPerIp} ({@link OpenConnections}). One over either never reaches
 *   Vert.x: its first request is answered 503 or 429 and the connection closed; one that sends
 *   no request is closed after {@link #REFUSAL_GRACE_MS}.</li>
 *   <li>A request must arrive whole (head and body) within {@code httpRequestTimeoutMs} of the
 *   connection's accept, or of the first byte after an idle spell.</li>
 *   <li>Between requests a keep-alive connection may stay silent {@code httpIdleTimeoutMs}.</li>
 *   <li>After {@code maxRequestsPerConnection} responses the connection is closed.</li>
 * </ul>
 * A connection that breaks a timeout is closed without an answer (a slowloris client would
 * not read one). An upgraded connection drops this handler ({@link #release}): a WebSocket has
 * its own keep-alive and limits.
 *
 * <p>One instance per connection, event loop only.
 */
public final class HttpConnectionGuard extends ChannelDuplexHandler {

  static final String NAME = "switchboard-http-guard";
  private static final Logger log = LoggerFactory.getLogger(HttpConnectionGuard.class);

  /** What every guard of one server shares. */
  public static final class Limits {
    private final OpenConnections connections;
    private final GatewayStats stats;
    private final int maxConnections;
    private final int maxConnectionsPerIp;
    private final long requestTimeoutMs;
    private final long idleTimeoutMs;
    private final int maxRequests;

    public Limits(OpenConnections connections, GatewayStats stats, ServerOptions server, LimitOptions limits) {
      this.connections = connections;
      this.stats = stats;
      this.maxConnections = limits.maxConnections();
      this.maxConnectionsPerIp = limits.maxConnectionsPerIp();
      this.requestTimeoutMs = server.httpRequestTimeoutMs();
      this.idleTimeoutMs = server.httpIdleTimeoutMs();
      this.maxRequests = server.maxRequestsPerConnection();
    }

    /**
     * Guards a connection the HTTP server just accepted (its connection handler calls this,
     * before any request is read).
     */
    public void install(HttpConnection connection) {
      if (!(connection instanceof ConnectionBase base)) {
        return;
      }
      Channel channel = base.channel();
      ChannelPipeline pipeline = channel.pipeline();
      ChannelHandlerContext vertx = pipeline.context(VertxHandler.class);
      if (vertx == null || !channel.isActive()) {
        return;
      }
      connections.opened(channel);
      String host = OpenConnections.address(channel);
      Refusal refusal = null;
      if (connections.total() > maxConnections) {
        refusal = new Refusal(HttpResponseStatus.SERVICE_UNAVAILABLE, ErrorCode.SERVICE_UNAVAILABLE, "gateway is full, try another");
      } else if (connections.from(host) > maxConnectionsPerIp) {
        refusal = new Refusal(HttpResponseStatus.TOO_MANY_REQUESTS, ErrorCode.RATE_LIMITED, "too many connections from this address");
      }
      if (refusal != null) {
        stats.error(refusal.code());
        log.debug("Connection from {} over the limits: {}", channel.remoteAddress(), refusal.message());
      }
      pipeline.addBefore(vertx.name(), NAME, new HttpConnectionGuard(this, refusal));
    }
  }

  /** The answer of a connection over the limits, to its first request. */
  private record Refusal(HttpResponseStatus status, ErrorCode code, String message) {
    FullHttpResponse response() {
      ByteBuf body = Unpooled.copiedBuffer(ServerFrames.httpError(code, message).encode(), StandardCharsets.UTF_8);
      FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
      response.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=utf-8")
        .set(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      return response;
    }
  }

  /**
   * How long a connection over the limits may take to send the request its refusal answers.
   * Answering before the request is read would let the close reset the connection under the
   * answer; waiting longer would let an attacker hold descriptors.
   */
  static final long REFUSAL_GRACE_MS = 1_000;

  private final Limits limits;
  /** Non-null for a connection over the limits: nothing reaches Vert.x, the first request gets this. */
  private final Refusal refusal;
  private ScheduledFuture<?> timer;
  /** The timer running is the idle one (between requests), not a request's. */
  private boolean idleTimer;
  /** A request head has arrived and its last content not yet. */
  private boolean inRequest;
  /** Request heads read and responses ended so far: equal when no request waits for its answer. */
  private int requests;
  private int responses;

  private HttpConnectionGuard(Limits limits, Refusal refusal) {
    this.limits = limits;
    this.refusal = refusal;
  }

  /** Takes the guard off an upgraded connection (a WebSocket has its own limits). */
  static void release(Channel channel) {
    ChannelHandlerContext ctx = channel.pipeline().context(NAME);
    if (ctx != null) {
      channel.pipeline().remove(ctx.handler());
    }
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (refusal != null) {
      arm(ctx, REFUSAL_GRACE_MS, "over the limits, no request within");
    } else {
      arm(ctx, limits.requestTimeoutMs, "no whole request within");
    }
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    cancel();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (refusal != null) {
      ReferenceCountUtil.release(msg);
      if (msg instanceof HttpRequest && !inRequest) {
        inRequest = true;
        cancel();
        ctx.writeAndFlush(refusal.response()).addListener(ChannelFutureListener.CLOSE);
      }
      return;
    }
    if (msg instanceof HttpRequest) {
      requests++;
      inRequest = true;
      if (idleTimer) {
        // The first bytes after an idle spell: this request must now arrive whole in time.
        arm(ctx, limits.requestTimeoutMs, "no whole request within");
      }
    }
    if (msg instanceof LastHttpContent && inRequest) {
      inRequest = false;
      // The request is in; the gateway answers at its own pace. (It may have answered
      // already: a GET is handled as soon as its head is read.)
      cancel();
      idleIfAnswered(ctx);
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof HttpResponse response && response.status().code() == 101) {
      // An upgrade Vert.x itself answers (the SockJS bridge's WebSocket transport): the
      // connection leaves HTTP, and its idle and request clocks with it.
      ctx.write(msg, promise);
      cancel();
      ctx.pipeline().remove(this);
      return;
    }
    if (msg instanceof HttpResponse response && responses + 1 >= limits.maxRequests) {
      // The last response of this connection says so: a keep-alive client then opens a new
      // connection for its next request instead of sending it into one being closed (reset).
      HttpUtil.setKeepAlive(response, false);
    }
    boolean ended = msg instanceof LastHttpContent;
    ctx.write(msg, promise);
    if (!ended) {
      return;
    }
    responses++;
    if (responses >= limits.maxRequests) {
      // Enough for one connection: the client opens another, and the limits count again.
      ctx.flush();
      ctx.close();
      return;
    }
    idleIfAnswered(ctx);
  }

  /** Every request read has been answered and none is arriving: the connection idles. */
  private void idleIfAnswered(ChannelHandlerContext ctx) {
    if (!inRequest && responses >= requests) {
      arm(ctx, limits.idleTimeoutMs, "idle for");
      idleTimer = true;
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancel();
    ctx.fireChannelInactive();
  }

  private void arm(ChannelHandlerContext ctx, long delayMs, String why) {
    cancel();
    idleTimer = false;
    timer = ctx.executor().schedule(() -> {
      timer = null;
      if (ctx.channel().isActive()) {
        log.debug("Connection from {} closed: {} {} ms", ctx.channel().remoteAddress(), why, delayMs);
        ctx.channel().close();
      }
    }, delayMs, TimeUnit.MILLISECONDS);
  }

  private void cancel() {
    idleTimer = false;
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }
}
