package io.github.switchboard.gateway.transport;

import io.github.switchboard.gateway.config.SocketOptions;
import io.github.switchboard.gateway.metrics.GatewayStats;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;

import java.util.Arrays;
import java.util.Locale;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * permessage-deflate (RFC 7692) as this gateway speaks it: accepted when a client offers it,
 * always with {@code server_no_context_takeover} and {@code client_no_context_takeover}.
 *
 * <p>Why no context takeover on the server side: a message compressed without reference to the
 * ones before is the same bytes for every socket, so a group message is compressed once and the
 * frame shared by every compressing socket of the group, as an uncompressed frame is shared by
 * the others; and no socket keeps a compressor (about 300 KB of native memory each). Why none
 * on the client side: each client message then inflates on its own, with one inflater for the
 * whole gateway instead of a 32 KB window per socket. The price is a lower ratio on streams of
 * small similar messages; messages under {@code deflateMinBytes} are not compressed at all.
 *
 * <p>One instance per gateway, used on its event loop only.
 */
public final class PerMessageDeflate {

  static final String EXTENSION = "permessage-deflate";
  /** What the handshake answers to an offer it accepts. */
  static final String RESPONSE = EXTENSION + "; server_no_context_takeover; client_no_context_takeover";
  /** The empty stored block a sync flush ends with; RFC 7692 drops it from the frame and the receiver adds it back. */
  private static final byte[] TAIL = {0, 0, (byte) 0xff, (byte) 0xff};

  private final boolean enabled;
  private final int minBytes;
  private final GatewayStats stats;
  private final Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
  private final Inflater inflater = new Inflater(true);
  private byte[] buffer = new byte[8 * 1024];

  public PerMessageDeflate(SocketOptions options, GatewayStats stats) {
    this.enabled = options.deflate();
    this.minBytes = options.deflateMinBytes();
    this.stats = stats;
  }

  /**
   * Whether the upgrade's {@code Sec-WebSocket-Extensions} offers permessage-deflate in a form
   * this gateway accepts: any offer of it whose parameters are all ones we can honour. An offer
   * that asks for {@code server_max_window_bits} below 15 is declined: the shared frames are
   * compressed with the full window.
   */
  boolean accepts(String header) {
    if (!enabled || header == null) {
      return false;
    }
    for (String offer : header.split(",")) {
      String[] parts = offer.split(";");
      if (!parts[0].trim().equalsIgnoreCase(EXTENSION)) {
        continue;
      }
      boolean acceptable = true;
      for (int i = 1; i < parts.length && acceptable; i++) {
        String[] param = parts[i].trim().split("=", 2);
        String name = param[0].trim().toLowerCase(Locale.ROOT);
        String value = param.length > 1 ? param[1].trim().replace("\"", "") : null;
        acceptable = switch (name) {
          case "server_no_context_takeover", "client_no_context_takeover", "client_max_window_bits" -> true;
          case "server_max_window_bits" -> "15".equals(value);
          default -> false;
        };
      }
      if (acceptable) {
        return true;
      }
    }
    return false;
  }

  /** Compression off: what a gateway without it (or a test) uses. */
  public static PerMessageDeflate disabled(GatewayStats stats) {
    return new PerMessageDeflate(new SocketOptions(SocketOptions.DEFAULT_PING_INTERVAL_MS,
      SocketOptions.DEFAULT_MAX_FRAME_BYTES, SocketOptions.DEFAULT_FRAME_HARD_LIMIT_BYTES,
      SocketOptions.DEFAULT_WRITE_QUEUE_MAX_BYTES, SocketOptions.DEFAULT_FLUSH_DELAY_MS,
      SocketOptions.DEFAULT_SLOW_CONSUMER_CLOSE_MS), stats);
  }

  /**
   * The compressed frame of a message for compressing sockets, made once and shared like any
   * other frame; null when the message is below {@code deflateMinBytes} (it goes out as it is).
   */
  public ByteBuf frame(ByteBufAllocator alloc, boolean binary, byte[] payload) {
    return worthIt(payload.length) ? WireFrame.compressed(alloc, binary, compress(payload)) : null;
  }

  /** {@code frames} shared compressed frames written: what they weighed uncompressed and as written. */
  public void countOut(int frames, long rawBytes, long compressedBytes) {
    stats.deflatedOut(frames, rawBytes, compressedBytes);
  }

  /** Whether a message of this many bytes is worth compressing for a compressing socket. */
  boolean worthIt(int bytes) {
    return bytes >= minBytes;
  }

  /**
   * A message's payload compressed on its own: the DEFLATE data of a sync flush without its
   * final empty block (RFC 7692 section 7.2.1).
   */
  byte[] compress(byte[] payload) {
    deflater.reset();
    deflater.setInput(payload);
    int length = 0;
    while (true) {
      if (length == buffer.length) {
        buffer = Arrays.copyOf(buffer, buffer.length * 2);
      }
      int n = deflater.deflate(buffer, length, buffer.length - length, Deflater.SYNC_FLUSH);
      length += n;
      // A flush that did not fill the space left has written everything.
      if (length < buffer.length) {
        break;
      }
    }
    stats.compressed();
    return Arrays.copyOf(buffer, length - TAIL.length);
  }

  /**
   * A client's compressed message inflated, or null when it is over {@code maxBytes} once
   * inflated (the inflation stops there: a small frame cannot make the gateway allocate much).
   *
   * @throws DataFormatException when it is not DEFLATE data
   */
  byte[] inflate(ByteBuf compressed, int maxBytes) throws DataFormatException {
    inflater.reset();
    byte[] input = ByteBufUtil.getBytes(compressed);
    byte[] whole = Arrays.copyOf(input, input.length + TAIL.length);
    System.arraycopy(TAIL, 0, whole, input.length, TAIL.length);
    inflater.setInput(whole);
    byte[] out = new byte[Math.min(Math.max(256, input.length * 4), maxBytes + 1)];
    int length = 0;
    while (true) {
      if (length == out.length) {
        if (out.length > maxBytes) {
          return null;
        }
        out = Arrays.copyOf(out, Math.min(out.length * 2, maxBytes + 1));
      }
      int n = inflater.inflate(out, length, out.length - length);
      length += n;
      if (n == 0 && (inflater.needsInput() || inflater.finished() || inflater.needsDictionary())) {
        break;
      }
    }
    return length > maxBytes ? null : Arrays.copyOf(out, length);
  }
}
