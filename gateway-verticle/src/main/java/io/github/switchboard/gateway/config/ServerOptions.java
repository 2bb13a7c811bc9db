package io.github.switchboard.gateway.config;

import io.github.switchboard.launcher.settings.Settings;

/**
 * The HTTP server of a gateway: where it listens and how long it drains when stopping.
 *
 * @param host           address to listen on
 * @param port           HTTP and WebSocket port; 0 takes any free port
 * @param drainTimeoutMs how long a stopping gateway waits for its sockets to close
 */
public record ServerOptions(String host, int port, long drainTimeoutMs) {

  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final int DEFAULT_PORT = 8080;
  public static final long DEFAULT_DRAIN_TIMEOUT_MS = 10_000;

  static ServerOptions from(Settings s) {
    return new ServerOptions(
      s.string("host", DEFAULT_HOST),
      s.intIn("port", DEFAULT_PORT, 0, 65535),
      s.longIn("drainTimeoutMs", DEFAULT_DRAIN_TIMEOUT_MS, 0, Long.MAX_VALUE));
  }
}
