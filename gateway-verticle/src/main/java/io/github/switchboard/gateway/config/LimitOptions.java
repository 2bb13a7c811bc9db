package io.github.switchboard.gateway.config;

import io.github.switchboard.launcher.settings.Settings;

/**
 * What one client may take from a gateway: messages per second, sockets, subscriptions and
 * HTTP publish size.
 *
 * @param rateLimitPerSecond  messages per second one socket may send on average
 * @param rateLimitBurst      size of that token bucket
 * @param rateLimitCloseAfter refusals for the rate, without a quiet spell, that close with 1008
 * @param maxConnections      open TCP connections per gateway (HTTP or WebSocket, counted from
 *                            accept); the first request of one more gets 503
 * @param maxConnectionsPerIp open TCP connections per client IP; the first request of one more
 *                            gets 429
 * @param maxSubscriptions    groups one {@code /ws} socket may be in at once
 * @param maxPublishBytes     largest HTTP publish body; larger ones get 413
 * @param seedErrorIntervalMs a seed endpoint's socket gets at most one error frame per this
 *                            interval (and none for the rate limit): its client may answer
 *                            every frame; 0 sends every one
 */
public record LimitOptions(int rateLimitPerSecond, int rateLimitBurst, int rateLimitCloseAfter, int maxConnections,
                           int maxConnectionsPerIp, int maxSubscriptions, int maxPublishBytes, long seedErrorIntervalMs) {

  public static final int DEFAULT_RATE_LIMIT_PER_SECOND = 50;
  public static final int DEFAULT_RATE_LIMIT_BURST = 100;
  public static final int DEFAULT_RATE_LIMIT_CLOSE_AFTER = 50;
  public static final int DEFAULT_MAX_CONNECTIONS = 200_000;
  public static final int DEFAULT_MAX_CONNECTIONS_PER_IP = 1_000;
  public static final int DEFAULT_MAX_SUBSCRIPTIONS = 100;
  public static final int DEFAULT_MAX_PUBLISH_BYTES = 64 * 1024;
  public static final long DEFAULT_SEED_ERROR_INTERVAL_MS = 1_000;

  static LimitOptions from(Settings s) {
    return new LimitOptions(
      s.intIn("rateLimitPerSecond", DEFAULT_RATE_LIMIT_PER_SECOND, 1, Integer.MAX_VALUE),
      s.intIn("rateLimitBurst", DEFAULT_RATE_LIMIT_BURST, 1, Integer.MAX_VALUE),
      s.intIn("rateLimitCloseAfter", DEFAULT_RATE_LIMIT_CLOSE_AFTER, 1, Integer.MAX_VALUE),
      s.intIn("maxConnections", DEFAULT_MAX_CONNECTIONS, 1, Integer.MAX_VALUE),
      s.intIn("maxConnectionsPerIp", DEFAULT_MAX_CONNECTIONS_PER_IP, 1, Integer.MAX_VALUE),
      s.intIn("maxSubscriptions", DEFAULT_MAX_SUBSCRIPTIONS, 1, Integer.MAX_VALUE),
      s.intIn("maxPublishBytes", DEFAULT_MAX_PUBLISH_BYTES, 1, Integer.MAX_VALUE),
      s.longIn("seedErrorIntervalMs", DEFAULT_SEED_ERROR_INTERVAL_MS, 0, 3_600_000));
  }

  public static LimitOptions defaults() {
    return from(Settings.of(null, null));
  }
}
