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
 * @param epoch       the epoch of the group's history that {@code seq} counts in, or null (no
 *                    history, or a publisher that does not know it); a new epoch means the
 *                    numbering started again
 */
public record Delivery(Kind kind, long seq, String sender, boolean echo, long publishedAt, byte[] payload, String epoch) {

  public static final long NO_SEQ = -1;
  /** Without an epoch (what every publisher wrote before epochs existed; still written then). */
  private static final byte FORMAT = 1;
  /** With an epoch: its length (one byte) and UTF-8 bytes follow the sender. */
  private static final byte FORMAT_WITH_EPOCH = 2;
  /** Longest epoch in bytes: it travels with every message, so it is short. */
  public static final int MAX_EPOCH_BYTES = 64;
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

  /** A delivery outside any history's numbering (no epoch). */
  public Delivery(Kind kind, long seq, String sender, boolean echo, long publishedAt, byte[] payload) {
    this(kind, seq, sender, echo, publishedAt, payload, null);
  }

  public Delivery {
    if (epoch != null && epoch.getBytes(StandardCharsets.UTF_8).length > MAX_EPOCH_BYTES) {
      throw new IllegalArgumentException("epoch longer than " + MAX_EPOCH_BYTES + " bytes");
    }
  }

  public static Delivery json(String json) {
    return new Delivery(Kind.JSON, NO_SEQ, null, true, System.currentTimeMillis(), json.getBytes(StandardCharsets.UTF_8));
  }

  public Delivery withSeq(long newSeq) {
    return new Delivery(kind, newSeq, sender, echo, publishedAt, payload, epoch);
  }

  public boolean hasSeq() {
    return seq >= 0;
  }

  public Buffer encode() {
    byte[] senderBytes = sender == null ? new byte[0] : sender.getBytes(StandardCharsets.UTF_8);
    byte[] epochBytes = epoch == null ? null : epoch.getBytes(StandardCharsets.UTF_8);
    Buffer buffer = Buffer.buffer(3 + 8 + 8 + 2 + senderBytes.length + (epochBytes == null ? 0 : 1 + epochBytes.length)
      + payload.length);
    buffer.appendByte(epochBytes == null ? FORMAT : FORMAT_WITH_EPOCH)
      .appendByte((byte) kind.ordinal())
      .appendByte(echo ? 0 : FLAG_NO_ECHO)
      .appendLong(seq)
      .appendLong(publishedAt)
      .appendShort((short) senderBytes.length)
      .appendBytes(senderBytes);
    if (epochBytes != null) {
      buffer.appendByte((byte) epochBytes.length).appendBytes(epochBytes);
    }
    return buffer.appendBytes(payload);
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
    byte format = buffer.length() > 0 ? buffer.getByte(0) : -1;
    if (buffer.length() < 21 || (format != FORMAT && format != FORMAT_WITH_EPOCH)) {
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
    String epoch = null;
    if (format == FORMAT_WITH_EPOCH) {
      if (payloadStart >= buffer.length()) {
        throw new IllegalArgumentException("truncated delivery buffer");
      }
      int epochLength = buffer.getUnsignedByte(payloadStart);
      int epochEnd = payloadStart + 1 + epochLength;
      if (epochEnd > buffer.length()) {
        throw new IllegalArgumentException("truncated delivery buffer");
      }
      epoch = buffer.getString(payloadStart + 1, epochEnd, "UTF-8");
      payloadStart = epochEnd;
    }
    byte[] payload = buffer.getBytes(payloadStart, buffer.length());
    return new Delivery(kinds[kindIndex], seq, sender, echo, publishedAt, payload, epoch);
  }
}
