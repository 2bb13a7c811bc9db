package io.github.switchboard.gateway.transport;

import io.github.switchboard.gateway.config.SocketOptions;
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
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.net.impl.VertxHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Upgrades an admitted HTTP request to a WebSocket on the same connection: the RFC 6455
 * handshake, the socket's frame handler in the pipeline, the write queue cap, and the take-over
 * of the connection from Vert.x. Frames are then read by {@link SocketFrameHandler}, which
 * tells the layer above through its {@link ConnectionHandler}.
 */
public final class SocketAcceptor {

  private static final Logger log = LoggerFactory.getLogger(SocketAcceptor.class);

  /**
   * A handshake this acceptor refused before writing anything: the connection is still plain
   * HTTP, and the caller answers the request with this status, message and headers.
   */
  public record Refusal(int status, String message, Map<String, String> headers) {
  }

  private final InboundPolicy policy;
  private final FrameWriter writer;
  private final int writeQueueMaxBytes;
  private final WebSocketDecoderConfig decoderConfig;
  /** The same for a socket that negotiated permessage-deflate: its frames may carry RSV1. */
  private final WebSocketDecoderConfig deflateDecoderConfig;

  public SocketAcceptor(InboundPolicy policy, FrameWriter writer, SocketOptions options) {
    this.policy = policy;
    this.writer = writer;
    this.writeQueueMaxBytes = options.writeQueueMaxBytes();
    // Netty's decoder enforces the hard cap from the frame header and reports it (and any other
    // protocol violation) to SocketFrameHandler, which closes through SocketCloser so that the
    // close frame gets its chance before the connection is cut. The configured limit is
    // applied per message by the InboundPolicy.
    this.decoderConfig = WebSocketDecoderConfig.newBuilder()
      .maxFramePayloadLength(options.frameHardLimitBytes())
      .allowExtensions(false)
      .expectMaskedFrames(true)
      .closeOnProtocolViolation(false)
      .build();
    // Extensions let RSV bits through; SocketFrameHandler accepts RSV1 on a message's first
    // frame only, and refuses the others, as RFC 7692 says.
    this.deflateDecoderConfig = decoderConfig.toBuilder().allowExtensions(true).build();
  }

  /**
   * Upgrades the request. {@code newConnection} makes the layer above's connection object for
   * the channel; {@code handler} hears of it once the handshake is done.
   *
   * @return a refusal to answer over HTTP; empty when the upgrade went ahead (or the connection
   *     had already closed)
   */
  public <C extends Connection> Optional<Refusal> accept(HttpServerRequest request, Function<Channel, C> newConnection,
                                                        ConnectionHandler<C> handler) {
    FullHttpRequest handshakeRequest = handshakeRequest(request);
    boolean deflates = writer.deflate().accepts(request.getHeader("Sec-WebSocket-Extensions"));
    WebSocketServerHandshaker handshaker = handshakers(request, deflates).newHandshaker(handshakeRequest);
    // Draft-00 (no version header) frames differently from RFC 6455 and its drafts 7 and 8.
    if (handshaker == null || handshaker.version() == WebSocketVersion.V00) {
      return Optional.of(new Refusal(426, "unsupported WebSocket version; this server speaks 13",
        Map.of("Sec-WebSocket-Version", "13")));
    }
    if (request.getHeader("Sec-WebSocket-Key") == null) {
      return Optional.of(new Refusal(400, "missing Sec-WebSocket-Key header", Map.of()));
    }
    // The upgrade keeps the TCP connection. Netty's handshaker swaps the HTTP codec for the
    // WebSocket one; our frame handler goes in front of Vert.x's HTTP connection handler.
    ConnectionBase vertxConnection = (ConnectionBase) request.connection();
    Channel channel = vertxConnection.channel();
    ChannelPipeline pipeline = channel.pipeline();
    ChannelHandlerContext vertxHandler = pipeline.context(VertxHandler.class);
    if (vertxHandler == null) {
      log.warn("WebSocket upgrade on {}: connection already closed", request.path());
      return Optional.empty();
    }
    C connection = newConnection.apply(channel);
    connection.deflates(deflates);
    ContextInternal context = vertxConnection.context();
    SocketFrameHandler<C> frames = new SocketFrameHandler<>(policy, writer, handler, connection, context);
    HttpConnectionRelease release = HttpConnectionRelease.of(request);
    pipeline.addBefore(vertxHandler.name(), "switchboard-socket", frames);
    ChannelFuture handshake;
    try {
      HttpHeaders extensions = deflates
        ? new DefaultHttpHeaders().set("Sec-WebSocket-Extensions", PerMessageDeflate.RESPONSE) : null;
      handshake = handshaker.handshake(channel, handshakeRequest, extensions, channel.newPromise());
    } catch (RuntimeException e) {
      // Refused before anything was written: the connection is still plain HTTP.
      pipeline.remove(frames);
      return Optional.of(new Refusal(400, "WebSocket handshake refused: " + e.getMessage(), Map.of()));
    }
    handshake.addListener(done -> {
      if (done.isSuccess()) {
        context.dispatch(connection, c -> opened(c, frames));
        // Later, not now: this may run inside Vert.x's handling of the upgrade request.
        channel.eventLoop().execute(() -> takeOver(channel, frames, release, request));
      } else {
        log.debug("WebSocket upgrade on {} failed: {}", request.path(), done.cause().toString());
        channel.close();
      }
    });
    return Optional.empty();
  }

  private void opened(Connection connection, SocketFrameHandler<?> frames) {
    // The write queue cap is the channel's high-water mark: FrameWriter drops while it is exceeded.
    connection.channel().config().setWriteBufferWaterMark(new WriteBufferWaterMark(writeQueueMaxBytes / 2, writeQueueMaxBytes));
    ChannelHandlerContext encoder = connection.channel().pipeline().context(WebSocketFrameEncoder.class);
    if (encoder != null) {
      connection.dataOut(encoder);
    }
    frames.opened();
  }

  /**
   * Takes Vert.x's HTTP connection handler out of an open socket's pipeline, with the
   * connection and upgrade request it holds. A connection that closed first was closed by
   * Vert.x's handler as usual.
   */
  private static void takeOver(Channel channel, SocketFrameHandler<?> frames, HttpConnectionRelease release,
                               HttpServerRequest request) {
    ChannelHandlerContext vertxHandler = channel.pipeline().context(VertxHandler.class);
    if (!channel.isActive() || vertxHandler == null) {
      return;
    }
    channel.pipeline().remove(vertxHandler.handler());
    HttpConnectionGuard.release(channel);
    release.tookOver(request);
    frames.tookOver(release);
  }

  /** Netty's view of the upgrade request: the same method, URI and headers, no body. */
  private static FullHttpRequest handshakeRequest(HttpServerRequest request) {
    DefaultHttpHeaders headers = new DefaultHttpHeaders(false);
    request.headers().forEach(header -> headers.add(header.getKey(), header.getValue()));
    return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, request.uri(), Unpooled.EMPTY_BUFFER,
      headers, EmptyHttpHeaders.INSTANCE);
  }

  private WebSocketServerHandshakerFactory handshakers(HttpServerRequest request, boolean deflates) {
    // The only extension is permessage-deflate without context takeover (PerMessageDeflate): a
    // message is still framed, and compressed, once for every socket.
    return new WebSocketServerHandshakerFactory("ws://" + request.authority() + request.path(), null,
      deflates ? deflateDecoderConfig : decoderConfig);
  }
}
