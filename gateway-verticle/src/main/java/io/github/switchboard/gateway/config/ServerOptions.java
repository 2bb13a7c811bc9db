package io.github.switchboard.gateway.config;

import io.github.switchboard.launcher.settings.Settings;

/**
 * The HTTP server of a gateway: where it listens, how long it drains when stopping, and how
 * long a connection that has not become a WebSocket may hold on.
 *
 * @param host                     address to listen on
 * @param port                     HTTP and WebSocket port; 0 takes any free port
 * @param drainTimeoutMs           how long a stopping gateway waits for its sockets to close
 * @param httpRequestTimeoutMs     a request (head and body) must arrive whole within this,
 *                                 counted from the connection's accept or from its first byte
 *                                 after an idle spell; else the connection is closed
 * @param httpIdleTimeoutMs        a keep-alive connection silent this long between requests is
 *                                 closed
 * @param maxRequestsPerConnection requests served on one keep-alive connection before it is
 *                                 closed
 * @param rootEndpoint             the endpoint a WebSocket upgrade on {@code /} goes to (the live
 *                                 scores seed app's client connects to the root): {@code scores},
 *                                 {@code random}, {@code hub}, {@code ws}, or {@code none}; a plain
 *                                 GET {@code /} is the index page whatever this says
 * @param eventBusBridge           serve Vert.x's SockJS event-bus bridge at {@code /eventbus}
 *                                 (a bridge address is a group)
 */
public record ServerOptions(String host, int port, long drainTimeoutMs, long httpRequestTimeoutMs, long httpIdleTimeoutMs,
                            int maxRequestsPerConnection, String rootEndpoint, boolean eventBusBridge) {

  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final int DEFAULT_PORT = 8080;
  public static final long DEFAULT_DRAIN_TIMEOUT_MS = 10_000;
  public static final long DEFAULT_HTTP_REQUEST_TIMEOUT_MS = 10_000;
  public static final long DEFAULT_HTTP_IDLE_TIMEOUT_MS = 60_000;
  public static final int DEFAULT_MAX_REQUESTS_PER_CONNECTION = 1_000;
  public static final String DEFAULT_ROOT_ENDPOINT = "scores";
  public static final boolean DEFAULT_EVENT_BUS_BRIDGE = true;
  /** The values {@code rootEndpoint} takes. */
  public static final java.util.List<String> ROOT_ENDPOINTS = java.util.List.of("scores", "random", "hub", "ws", "none");

  static ServerOptions from(Settings s) {
    return new ServerOptions(
      s.string("host", DEFAULT_HOST),
      s.intIn("port", DEFAULT_PORT, 0, 65535),
      s.longIn("drainTimeoutMs", DEFAULT_DRAIN_TIMEOUT_MS, 0, Long.MAX_VALUE),
      s.longIn("httpRequestTimeoutMs", DEFAULT_HTTP_REQUEST_TIMEOUT_MS, 100, 3_600_000),
      s.longIn("httpIdleTimeoutMs", DEFAULT_HTTP_IDLE_TIMEOUT_MS, 100, 3_600_000),
      s.intIn("maxRequestsPerConnection", DEFAULT_MAX_REQUESTS_PER_CONNECTION, 1, Integer.MAX_VALUE),
      s.oneOf("rootEndpoint", DEFAULT_ROOT_ENDPOINT, ROOT_ENDPOINTS),
      s.bool("eventBusBridge", DEFAULT_EVENT_BUS_BRIDGE));
  }
}
