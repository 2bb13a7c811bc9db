package io.github.switchboard.protocol;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;

/**
 * One message published to a group, as it travels on the event bus to {@code group.G}.
 *
 * <p>It is encoded once by the publisher into a compact {@link Buffer} (no JSON re-encoding on
 * the way), so every gateway receives the payload bytes as published and writes them to its
 * sockets without touching them again.
 *
 * @param kind        what the payload bytes are
 * @param seq         position in the group's history, or {@link #NO_SEQ} for groups without one
 * @param sender      connection id (or subject) of the publishing client, or null for services
 * @param echo        false when the sender's own socket must not receive it (the hub)
 * @param publishedAt epoch ms at the source, for delivery-latency measurement
 * @param payload     the bytes: JSON text, plain UTF-8 text, or binary
 */
public record Delivery(Kind kind, long seq, String sender, boolean echo, long publishedAt, byte[] payload) {

  public static final long NO_SEQ = -1;
  private static final byte FORMAT = 1;
  private static final byte FLAG_NO_ECHO = 1;

  /** How the payload is to be written: as a JSON value, as text, or as binary. */
  public enum Kind {
    /** A valid JSON value; seed sockets get it as a text frame, {@code /ws} as {@code data}. */
    JSON,
    /** UTF-8 text that is not (known to be) JSON; {@code /ws} gets it as a JSON string. */
    TEXT,
    /** Bytes; seed sockets get a binary frame, {@code /ws} gets base64 in {@code data}. */
    BINARY
  }

  public static Delivery json(String json) {
    return new Delivery(Kind.JSON, NO_SEQ, null, true, System.currentTimeMillis(), json.getBytes(StandardCharsets.UTF_8));
  }

  public Delivery withSeq(long newSeq) {
    return new Delivery(kind, newSeq, sender, echo, publishedAt, payload);
  }

  public boolean hasSeq() {
    return seq >= 0;
  }

  public Buffer encode() {
    byte[] senderBytes = sender == null ? new byte[0] : sender.getBytes(StandardCharsets.UTF_8);
    Buffer buffer = Buffer.buffer(3 + 8 + 8 + 2 + senderBytes.length + payload.length);
    buffer.appendByte(FORMAT)
      .appendByte((byte) kind.ordinal())
      .appendByte(echo ? 0 : FLAG_NO_ECHO)
      .appendLong(seq)
      .appendLong(publishedAt)
      .appendShort((short) senderBytes.length)
      .appendBytes(senderBytes)
      .appendBytes(payload);
    return buffer;
  }

  /**
   * Reads an event bus body published to a group address. Besides our own encoding, a
   * JsonObject or JsonArray is taken as a JSON payload and a String as text, so any verticle can
   * publish to a group without this class.
   */
  public static Delivery decode(Object body) {
    if (body instanceof Buffer buffer) {
      return decode(buffer);
    }
    long now = System.currentTimeMillis();
    if (body instanceof JsonObject || body instanceof JsonArray) {
      return new Delivery(Kind.JSON, NO_SEQ, null, true, now, body.toString().getBytes(StandardCharsets.UTF_8));
    }
    if (body instanceof String text) {
      return new Delivery(Kind.TEXT, NO_SEQ, null, true, now, text.getBytes(StandardCharsets.UTF_8));
    }
    throw new IllegalArgumentException("unsupported group message body: " + (body == null ? "null" : body.getClass().getName()));
  }

  private static Delivery decode(Buffer buffer) {
    if (buffer.length() < 21 || buffer.getByte(0) != FORMAT) {
      throw new IllegalArgumentException("not a delivery buffer (format " + (buffer.length() > 0 ? buffer.getByte(0) : -1) + ")");
    }
    Kind[] kinds = Kind.values();
    int kindIndex = buffer.getByte(1);
    if (kindIndex < 0 || kindIndex >= kinds.length) {
      throw new IllegalArgumentException("unknown delivery kind " + kindIndex);
    }
    boolean echo = (buffer.getByte(2) & FLAG_NO_ECHO) == 0;
    long seq = buffer.getLong(3);
    long publishedAt = buffer.getLong(11);
    int senderLength = buffer.getShort(19);
    int payloadStart = 21 + senderLength;
    if (senderLength < 0 || payloadStart > buffer.length()) {
      throw new IllegalArgumentException("truncated delivery buffer");
    }
    String sender = senderLength == 0 ? null : buffer.getString(21, payloadStart, "UTF-8");
    byte[] payload = buffer.getBytes(payloadStart, buffer.length());
    return new Delivery(kinds[kindIndex], seq, sender, echo, publishedAt, payload);
  }
}
