package io.github.switchboard.gateway.transport;

import io.github.switchboard.gateway.config.SocketOptions;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.net.impl.VertxHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Turns an admitted GET into a long-lived streaming response on the same connection, the way
 * {@link SocketAcceptor} turns one into a WebSocket: the response head (chunked, never cached
 * or buffered by a proxy), a {@link StreamHandler} in the pipeline, the write queue cap, and the
 * take-over from Vert.x's HTTP connection handler. From then on {@link FrameWriter} writes the
 * connection's messages in its {@link Framing}, and Netty's HTTP encoder wraps each write in a
 * chunk (so the bytes of a fan-out are still shared by every connection).
 */
public final class StreamAcceptor {

  private static final Logger log = LoggerFactory.getLogger(StreamAcceptor.class);

  private final InboundPolicy policy;
  private final FrameWriter writer;
  private final int writeQueueMaxBytes;

  public StreamAcceptor(InboundPolicy policy, FrameWriter writer, SocketOptions options) {
    this.policy = policy;
    this.writer = writer;
    this.writeQueueMaxBytes = options.writeQueueMaxBytes();
  }

  /**
   * Starts the response and opens the connection. {@code opened} runs on the connection's
   * event loop once the layer above has heard of it ({@code ConnectionHandler.opened}); not at
   * all when the connection closed first.
   *
   * @param headers extra response headers (CORS)
   */
  public <C extends Connection> void accept(HttpServerRequest request, Framing framing, Map<String, String> headers,
                                            Function<Channel, C> newConnection, ConnectionHandler<C> handler,
                                            Consumer<StreamHandler<C>> opened) {
    ConnectionBase vertxConnection = (ConnectionBase) request.connection();
    Channel channel = vertxConnection.channel();
    ChannelHandlerContext vertxHandler = channel.pipeline().context(VertxHandler.class);
    if (vertxHandler == null || !channel.isActive()) {
      log.debug("{} on a connection already closed", request.path());
      return;
    }
    C connection = newConnection.apply(channel);
    ContextInternal context = vertxConnection.context();
    StreamHandler<C> stream = new StreamHandler<>(policy, writer, handler, connection, context);
    HttpConnectionRelease release = HttpConnectionRelease.of(request);
    // Our handler takes the connection's input from here on (the rest of the GET, anything
    // pipelined behind it).
    channel.pipeline().addBefore(vertxHandler.name(), "switchboard-stream", stream);
    // Later, not now: this runs inside Vert.x's handling of the request.
    channel.eventLoop().execute(() -> context.dispatch(stream, s -> takeOver(request, channel, framing, headers, s,
      release, opened)));
  }

  private <C extends Connection> void takeOver(HttpServerRequest request, Channel channel, Framing framing,
                                               Map<String, String> headers, StreamHandler<C> stream,
                                               HttpConnectionRelease release, Consumer<StreamHandler<C>> opened) {
    ChannelHandlerContext vertxHandler = channel.pipeline().context(VertxHandler.class);
    if (vertxHandler == null || !channel.isActive()) {
      return;
    }
    // Vert.x's handler leaves: it would keep the request open for the stream's life, and hold
    // the connection object and request headers all that time.
    channel.pipeline().remove(vertxHandler.handler());
    HttpConnectionGuard.release(channel);
    release.tookOver(request, HttpConnectionRelease.STREAMING);

    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    head.headers()
      .set(HttpHeaderNames.CONTENT_TYPE, framing.contentType())
      .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED)
      .set(HttpHeaderNames.CACHE_CONTROL, "no-cache, no-store")
      // nginx and some others buffer responses unless told not to; a stream must not wait.
      .set("X-Accel-Buffering", "no");
    headers.forEach((name, value) -> head.headers().set(name, value));
    channel.writeAndFlush(head, channel.voidPromise());
    channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(writeQueueMaxBytes / 2, writeQueueMaxBytes));
    stream.opened(release);
    opened.accept(stream);
  }
}
