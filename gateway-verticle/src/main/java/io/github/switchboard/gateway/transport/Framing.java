package io.github.switchboard.gateway.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.nio.charset.StandardCharsets;

/**
 * How a connection's messages are cut on the wire: WebSocket frames, or one of the two HTTP
 * streaming responses for clients whose WebSocket upgrade cannot pass (a proxy, a carrier, an
 * old balancer). Each message is framed once per transport and the bytes are shared by every
 * connection of that transport, as {@link WireFrame} does for WebSocket.
 *
 * <p>The streaming responses are chunked (the HTTP encoder adds each chunk's header around our
 * bytes, so the shared bytes stay the same for every connection). A message is one JSON object
 * without a raw line break (the protocol's encoder escapes them), which both framings rely on.
 */
public enum Framing {
  /** RFC 6455 data frames ({@link WireFrame}). */
  WEBSOCKET("websocket", null),
  /** Server-Sent Events: {@code data: <json>\n\n} per message, optionally after an {@code id:} line. */
  EVENT_STREAM("sse", "text/event-stream; charset=utf-8"),
  /** HTTP streaming: one JSON object per line ({@code application/x-ndjson}). */
  JSON_LINES("http_stream", "application/x-ndjson; charset=utf-8");

  private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] EVENT_END = "\n\n".getBytes(StandardCharsets.US_ASCII);
  /** An SSE comment: EventSource ignores it, and it keeps idle proxies from cutting the stream. */
  private static final byte[] SSE_KEEP_ALIVE = ":\n\n".getBytes(StandardCharsets.US_ASCII);
  /** An empty line: JSON-lines readers skip it. */
  private static final byte[] LINE_KEEP_ALIVE = "\n".getBytes(StandardCharsets.US_ASCII);

  private final String transport;
  private final String contentType;

  Framing(String transport, String contentType) {
    this.transport = transport;
    this.contentType = contentType;
  }

  /** The transport's name in the protocol ({@code connected} frame) and in metrics. */
  public String transport() {
    return transport;
  }

  /** The streaming response's content type; null for WebSocket. */
  public String contentType() {
    return contentType;
  }

  public boolean streaming() {
    return this != WEBSOCKET;
  }

  /** One text message as this framing writes it. */
  public ByteBuf text(ByteBufAllocator alloc, byte[] utf8) {
    switch (this) {
      case EVENT_STREAM -> {
        ByteBuf event = alloc.directBuffer(DATA.length + utf8.length + EVENT_END.length);
        return event.writeBytes(DATA).writeBytes(utf8).writeBytes(EVENT_END);
      }
      case JSON_LINES -> {
        ByteBuf line = alloc.directBuffer(utf8.length + 1);
        return line.writeBytes(utf8).writeByte('\n');
      }
      default -> {
        return WireFrame.text(alloc, utf8);
      }
    }
  }

  /**
   * The {@code id:} line that makes the next event's id the client's {@code Last-Event-ID}
   * (Server-Sent Events only; the id must hold no line break, which the caller ensures).
   */
  static ByteBuf eventId(ByteBufAllocator alloc, String id) {
    byte[] bytes = id.getBytes(StandardCharsets.UTF_8);
    ByteBuf line = alloc.buffer(4 + bytes.length);
    return line.writeBytes("id: ".getBytes(StandardCharsets.US_ASCII)).writeBytes(bytes).writeByte('\n');
  }

  /** What a streaming connection gets instead of a WebSocket ping. */
  ByteBuf keepAlive(ByteBufAllocator alloc) {
    byte[] bytes = this == EVENT_STREAM ? SSE_KEEP_ALIVE : LINE_KEEP_ALIVE;
    return alloc.buffer(bytes.length).writeBytes(bytes);
  }
}
