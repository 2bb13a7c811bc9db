package io.github.switchboard.gateway.admission;

import io.netty.util.NetUtil;
import io.vertx.core.http.HttpServerRequest;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which web pages may open a WebSocket here (browsers send their page's origin; other clients
 * usually send none). Allowed: requests without an {@code Origin} header, the configured
 * origins ({@code "*"}: every origin, for development), and pages served by this gateway
 * itself when it is reached by address or as {@code localhost}: the origin's host equals the
 * {@code Host} header, and that host is an IP literal or {@code localhost}.
 *
 * <p>Why not any host name: with DNS rebinding, a page at {@code http://evil.example:8080}
 * whose name the attacker points at the gateway's address sends {@code Host: evil.example:8080}
 * and {@code Origin: http://evil.example:8080}, which match. A browser never sends an IP
 * literal or {@code localhost} for a page it loaded under another name, so those are safe to
 * trust; pages served under a real domain name are listed in {@code allowedOrigins}.
 *
 * <p>With {@code allowLocalhostOrigins} (the default of an embedded gateway), a page on this
 * machine at any port is allowed too: a seed app's page on its own development server
 * ({@code http://localhost:5173}) calling the gateway on {@code localhost:8080}. The same rule
 * decides the HTTP API's CORS answers ({@code http/Cors}).
 */
public final class OriginCheck {

  private final boolean any;
  private final Set<String> allowed;
  private final boolean localhostAnyPort;

  public OriginCheck(List<String> allowedOrigins) {
    this(allowedOrigins, false);
  }

  /** @param localhostAnyPort whether pages on this machine at any port are allowed */
  public OriginCheck(List<String> allowedOrigins, boolean localhostAnyPort) {
    this.any = allowedOrigins.contains("*");
    this.allowed = allowedOrigins.stream().map(OriginCheck::normalize).collect(Collectors.toUnmodifiableSet());
    this.localhostAnyPort = localhostAnyPort;
  }

  /** Whether the request may come from its page: no {@code Origin}, or an allowed one. */
  public boolean allows(HttpServerRequest request) {
    String origin = request.getHeader("Origin");
    return origin == null || allowsOrigin(origin, request.getHeader("Host"));
  }

  /** Whether a page of {@code origin} may reach this gateway, addressed as {@code host}. */
  public boolean allowsOrigin(String origin, String host) {
    if (any) {
      return true;
    }
    String normalized = normalize(origin);
    if (allowed.contains(normalized)) {
      return true;
    }
    try {
      URI uri = URI.create(origin);
      String authority = uri.getRawAuthority();
      if (localhostAnyPort && ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && thisMachine(uri.getHost())) {
        return true;
      }
      return host != null && authority != null && authority.equalsIgnoreCase(host) && addressOrLocalhost(uri.getHost());
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** {@code localhost} or a loopback literal: a page served on this machine. */
  private static boolean thisMachine(String host) {
    if (host == null) {
      return false;
    }
    String h = host.toLowerCase(Locale.ROOT);
    return h.equals("localhost") || h.equals("127.0.0.1") || h.equals("[::1]");
  }

  /** An IPv4 or IPv6 literal, {@code localhost}, or a name under {@code .localhost} (RFC 6761). */
  static boolean addressOrLocalhost(String host) {
    if (host == null) {
      return false;
    }
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      return NetUtil.isValidIpV6Address(h.substring(1, h.length() - 1));
    }
    return NetUtil.isValidIpV4Address(h) || h.equals("localhost") || h.endsWith(".localhost");
  }

  private static String normalize(String origin) {
    String s = origin.strip().toLowerCase(Locale.ROOT);
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }
}
