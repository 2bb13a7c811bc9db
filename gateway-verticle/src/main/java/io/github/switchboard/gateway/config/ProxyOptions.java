package io.github.switchboard.gateway.config;

import io.github.switchboard.launcher.settings.Settings;

import java.net.URI;

/**
 * The application's backend the gateway asks (section {@code proxy}, variables
 * {@code SWITCHBOARD_PROXY_...}). docs/backend.md describes each hook's request and answer.
 *
 * @param rpcUrl           where {@code rpc} frames are posted; blank: no RPC hook (an rpc gets
 *                         {@code service_unavailable})
 * @param timeoutMs        how long a backend call may stay silent before it fails with {@code timeout}
 * @param maxInFlight      backend calls under way at once in this gateway; one more is refused
 *                         with {@code limit_reached} at once (a backend that stops answering
 *                         must not pile up requests and memory in the gateway)
 * @param maxConnections   HTTP connections to the backend
 * @param maxResponseBytes the largest answer taken from the backend; a larger one is a
 *                         {@code backend_error}
 */
public record ProxyOptions(String rpcUrl, long timeoutMs, int maxInFlight, int maxConnections, int maxResponseBytes) {

  public static final long DEFAULT_TIMEOUT_MS = 5_000;
  public static final int DEFAULT_MAX_IN_FLIGHT = 1_000;
  public static final int DEFAULT_MAX_CONNECTIONS = 50;
  public static final int DEFAULT_MAX_RESPONSE_BYTES = 65_536;

  static ProxyOptions from(Settings gateway) {
    Settings s = gateway.section("proxy");
    String rpcUrl = s.string("rpcUrl", "");
    if (!rpcUrl.isBlank()) {
      URI uri;
      try {
        uri = URI.create(rpcUrl.strip());
      } catch (IllegalArgumentException e) {
        throw s.invalid("rpcUrl", rpcUrl, "an http:// or https:// URL");
      }
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
        throw s.invalid("rpcUrl", rpcUrl, "an http:// or https:// URL");
      }
    }
    return new ProxyOptions(rpcUrl.strip(),
      s.longIn("timeoutMs", DEFAULT_TIMEOUT_MS, 1, 600_000),
      s.intIn("maxInFlight", DEFAULT_MAX_IN_FLIGHT, 1, 1_000_000),
      s.intIn("maxConnections", DEFAULT_MAX_CONNECTIONS, 1, 10_000),
      s.intIn("maxResponseBytes", DEFAULT_MAX_RESPONSE_BYTES, 256, 16 * 1024 * 1024));
  }

  public boolean rpcEnabled() {
    return !rpcUrl.isEmpty();
  }
}
