package io.github.switchboard.gateway.admission;

import io.vertx.core.http.HttpServerRequest;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which web pages may open a WebSocket here (browsers send their page's origin; other clients
 * usually send none). Allowed: requests without an {@code Origin} header, pages served by this
 * gateway itself (origin host equals the {@code Host} header), and the configured origins;
 * {@code "*"} allows every origin (for development).
 */
public final class OriginCheck {

  private final boolean any;
  private final Set<String> allowed;

  public OriginCheck(List<String> allowedOrigins) {
    this.any = allowedOrigins.contains("*");
    this.allowed = allowedOrigins.stream().map(OriginCheck::normalize).collect(Collectors.toUnmodifiableSet());
  }

  public boolean allows(HttpServerRequest request) {
    String origin = request.getHeader("Origin");
    if (origin == null || any) {
      return true;
    }
    String normalized = normalize(origin);
    if (allowed.contains(normalized)) {
      return true;
    }
    String host = request.getHeader("Host");
    try {
      URI uri = URI.create(origin);
      String authority = uri.getRawAuthority();
      return host != null && authority != null && authority.equalsIgnoreCase(host);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static String normalize(String origin) {
    String s = origin.strip().toLowerCase(Locale.ROOT);
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }
}
