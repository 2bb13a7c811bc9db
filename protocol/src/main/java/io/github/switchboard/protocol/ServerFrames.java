package io.github.switchboard.protocol;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Every frame the server sends, serialized. Replies go to one socket; {@link #message} is built
 * once per delivery and shared by every {@code /ws} socket of the group.
 */
public final class ServerFrames {

  private ServerFrames() {
  }

  public static String subscribed(String group, Object id, Boolean recovered) {
    return subscribed(group, id, recovered, null, -1);
  }

  /**
   * The reply to a subscribe to a stream group: with {@code since}, whether everything after it
   * was replayed; and the socket's position, the offset of the last message it has had from the
   * stream (or will not get: the next it gets is above it) and its epoch ({@code epoch} null
   * and 0 when the stream has nothing). The position is sent as {@code offset} and, as chat
   * clients knew it, {@code seq}.
   */
  public static String subscribed(String group, Object id, Boolean recovered, String epoch, long offset) {
    JsonObject frame = new JsonObject().put("type", "subscribed").put("group", group);
    putId(frame, id);
    if (recovered != null) {
      frame.put("recovered", recovered);
    }
    if (offset >= 0) {
      frame.put("epoch", epoch).put("offset", offset).put("seq", offset);
    }
    return frame.encode();
  }

  /**
   * {@code {"type":"subscribed","group":G,"server":true,...}}: the server (the server API, a
   * backend) put the socket in a group; no request of the client's is answered, so no id. A
   * stream group's frame names the socket's position as a reply does.
   */
  public static String serverSubscribed(String group, String epoch, long offset) {
    JsonObject frame = new JsonObject().put("type", "subscribed").put("group", group).put("server", true);
    if (offset >= 0) {
      frame.put("epoch", epoch).put("offset", offset).put("seq", offset);
    }
    return frame.encode();
  }

  /** {@code {"type":"unsubscribed","group":G,"server":true}}: the server took the socket out. */
  public static String serverUnsubscribed(String group) {
    return new JsonObject().put("type", "unsubscribed").put("group", group).put("server", true).encode();
  }

  public static String unsubscribed(String group, Object id) {
    return putId(new JsonObject().put("type", "unsubscribed").put("group", group), id).encode();
  }

  public static String ack(Object id, long seq) {
    return ack(id, seq, null);
  }

  /** The ack of a publish to a stream group carries the message's offset (and seq) and epoch. */
  public static String ack(Object id, long offset, String epoch) {
    JsonObject frame = putId(new JsonObject().put("type", "ack"), id);
    if (offset >= 0) {
      frame.put("offset", offset).put("seq", offset);
      if (epoch != null) {
        frame.put("epoch", epoch);
      }
    }
    return frame.encode();
  }

  /**
   * {@code {"type":"rpc_result","id":N,"data":...}}: the backend's answer to an {@code rpc},
   * {@code dataJson} spliced in as the backend encoded it (already checked to be JSON).
   */
  public static String rpcResult(Object id, String dataJson) {
    return "{\"type\":\"rpc_result\",\"id\":" + Json.encode(id) + ",\"data\":" + dataJson + "}";
  }

  public static String pong(Object id, long serverTime) {
    return putId(new JsonObject().put("type", "pong"), id).put("serverTime", serverTime).encode();
  }

  public static String error(ErrorCode code, String message, Object id) {
    JsonObject frame = new JsonObject().put("type", "error").put("code", code.code()).put("message", message);
    return putId(frame, id).encode();
  }

  /** An error with the code a backend gave ({@code reason}, omitted when null). */
  public static String error(ErrorCode code, String message, Object id, String reason) {
    JsonObject frame = new JsonObject().put("type", "error").put("code", code.code()).put("message", message);
    if (reason != null) {
      frame.put("reason", reason);
    }
    return putId(frame, id).encode();
  }

  public static String error(ProtocolException e) {
    return error(e.code(), e.getMessage(), e.requestId());
  }

  /** The JSON body of an HTTP error response. */
  public static JsonObject httpError(ErrorCode code, String message) {
    return new JsonObject().put("error", code.code()).put("message", message);
  }

  /**
   * {@code {"type":"message","group":G,"offset":N,"seq":N,"epoch":E,"data":...}} for a {@code /ws}
   * subscriber ({@code offset}, {@code seq} and {@code epoch} for a stream group only). A JSON
   * payload is spliced in as it was published, without parsing it again.
   */
  public static byte[] message(String group, Delivery delivery) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(delivery.payload().length + group.length() + 64);
    write(out, "{\"type\":\"message\",\"group\":");
    write(out, Json.encode(group));
    if (delivery.hasSeq()) {
      write(out, ",\"offset\":" + delivery.seq() + ",\"seq\":" + delivery.seq());
    }
    if (delivery.epoch() != null) {
      write(out, ",\"epoch\":");
      write(out, Json.encode(delivery.epoch()));
    }
    switch (delivery.kind()) {
      case JSON -> {
        write(out, ",\"data\":");
        out.writeBytes(delivery.payload());
      }
      case TEXT -> {
        write(out, ",\"data\":");
        write(out, Json.encode(new String(delivery.payload(), StandardCharsets.UTF_8)));
      }
      case BINARY -> {
        write(out, ",\"encoding\":\"base64\",\"data\":\"");
        write(out, Base64.getEncoder().encodeToString(delivery.payload()));
        write(out, "\"");
      }
    }
    write(out, "}");
    return out.toByteArray();
  }

  private static void write(ByteArrayOutputStream out, String s) {
    out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
  }

  private static JsonObject putId(JsonObject frame, Object id) {
    if (id != null) {
      frame.put("id", id);
    }
    return frame;
  }
}
