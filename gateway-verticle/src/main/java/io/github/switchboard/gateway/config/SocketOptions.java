package io.github.switchboard.gateway.config;

import io.github.switchboard.launcher.settings.Settings;

/**
 * One WebSocket at the transport level: keep-alive, frame sizes, the write queue and when it
 * is flushed, compression. Handed to the transport only.
 *
 * @param pingIntervalMs       how often the server pings each socket; one that has not
 *                             answered by the next round is closed
 * @param maxFrameBytes        largest message accepted (fragments added up); larger closes 1009
 * @param frameHardLimitBytes  the decoder refuses a frame above this from its header, before
 *                             reading it; never below {@code maxFrameBytes}
 * @param writeQueueMaxBytes   bytes queued for one socket before writes to it are dropped
 * @param flushDelayMs         longest a delivery waits for its socket's flush; 0: flush as soon
 *                             as the event loop has run the tasks already queued. Above 0,
 *                             deliveries within the window share one write: less CPU per
 *                             delivery, at most this much more latency
 * @param slowConsumerCloseMs  a socket that keeps dropping this long is closed with 1013; 0 never
 * @param deflate              permessage-deflate (RFC 7692) is accepted when a client offers it,
 *                             with no context takeover on either side, so that a message is
 *                             compressed once for every compressing socket of its group
 * @param deflateMinBytes      messages shorter than this go out uncompressed even to a
 *                             compressing socket (compressing them saves little and costs CPU)
 */
public record SocketOptions(long pingIntervalMs, int maxFrameBytes, int frameHardLimitBytes, int writeQueueMaxBytes,
                            int flushDelayMs, long slowConsumerCloseMs, boolean deflate, int deflateMinBytes) {

  public static final long DEFAULT_PING_INTERVAL_MS = 30_000;
  public static final int DEFAULT_MAX_FRAME_BYTES = 64 * 1024;
  public static final int DEFAULT_FRAME_HARD_LIMIT_BYTES = 1024 * 1024;
  public static final int DEFAULT_WRITE_QUEUE_MAX_BYTES = 256 * 1024;
  public static final int DEFAULT_FLUSH_DELAY_MS = 0;
  public static final long DEFAULT_SLOW_CONSUMER_CLOSE_MS = 30_000;
  public static final boolean DEFAULT_DEFLATE = true;
  public static final int DEFAULT_DEFLATE_MIN_BYTES = 512;

  /** The options without compression (tests and tools that build them by hand). */
  public SocketOptions(long pingIntervalMs, int maxFrameBytes, int frameHardLimitBytes, int writeQueueMaxBytes,
                       int flushDelayMs, long slowConsumerCloseMs) {
    this(pingIntervalMs, maxFrameBytes, frameHardLimitBytes, writeQueueMaxBytes, flushDelayMs, slowConsumerCloseMs,
      false, DEFAULT_DEFLATE_MIN_BYTES);
  }

  static SocketOptions from(Settings s) {
    int maxFrameBytes = s.intIn("maxFrameBytes", DEFAULT_MAX_FRAME_BYTES, 128, Integer.MAX_VALUE);
    return new SocketOptions(
      s.longIn("pingIntervalMs", DEFAULT_PING_INTERVAL_MS, 10, Long.MAX_VALUE),
      maxFrameBytes,
      // A hard cap below the message limit would make the message limit unreachable.
      Math.max(maxFrameBytes, s.intIn("frameHardLimitBytes", DEFAULT_FRAME_HARD_LIMIT_BYTES, 128, Integer.MAX_VALUE)),
      s.intIn("writeQueueMaxBytes", DEFAULT_WRITE_QUEUE_MAX_BYTES, 1024, Integer.MAX_VALUE),
      s.intIn("flushDelayMs", DEFAULT_FLUSH_DELAY_MS, 0, 1000),
      s.longIn("slowConsumerCloseMs", DEFAULT_SLOW_CONSUMER_CLOSE_MS, 0, Long.MAX_VALUE),
      s.bool("deflate", DEFAULT_DEFLATE),
      s.intIn("deflateMinBytes", DEFAULT_DEFLATE_MIN_BYTES, 0, Integer.MAX_VALUE));
  }

  public static SocketOptions defaults() {
    return from(Settings.of(null, null));
  }
}
