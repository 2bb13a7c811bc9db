package io.github.switchboard.gateway.config;

import io.github.switchboard.launcher.settings.Settings;

import java.net.URI;
import java.util.List;

/**
 * The application's backend the gateway asks (section {@code proxy}, variables
 * {@code SWITCHBOARD_PROXY_...}). docs/backend.md describes each hook's request and answer. A
 * hook whose URL is blank is off.
 *
 * @param rpcUrl           where {@code rpc} frames are posted; blank: an rpc gets
 *                         {@code service_unavailable}
 * @param connectUrl       asked on every WebSocket upgrade without a token: who the user is,
 *                         which groups to join, or a refusal
 * @param subscribeUrl     asked on a client's subscribe to a group of {@code subscribeGroups}
 * @param publishUrl       asked on a client's publish to a group of {@code publishGroups}; may
 *                         replace the data
 * @param subscribeGroups  group patterns ({@code *} as in group rules) the subscribe hook is asked about
 * @param publishGroups    group patterns the publish hook is asked about
 * @param timeoutMs        how long a backend call may stay silent before it fails with {@code timeout}
 * @param maxInFlight      backend calls under way at once in this gateway, all hooks together;
 *                         one more is refused with {@code limit_reached} at once (a backend
 *                         that stops answering must not pile up requests and memory here)
 * @param maxConnections   HTTP connections to the backend
 * @param maxResponseBytes the largest answer taken from the backend; a larger one is a
 *                         {@code backend_error}
 * @param maxMetaBytes     the largest presence {@code meta} the connect hook may give a user
 *                         (encoded JSON): it is kept with every socket of the user, so it is
 *                         held small; a larger one is a {@code backend_error}
 */
public record ProxyOptions(String rpcUrl, String connectUrl, String subscribeUrl, String publishUrl,
                           List<GroupRule> subscribeGroups, List<GroupRule> publishGroups,
                           long timeoutMs, int maxInFlight, int maxConnections, int maxResponseBytes,
                           int maxMetaBytes) {

  public static final long DEFAULT_TIMEOUT_MS = 5_000;
  public static final int DEFAULT_MAX_IN_FLIGHT = 1_000;
  public static final int DEFAULT_MAX_CONNECTIONS = 50;
  public static final int DEFAULT_MAX_RESPONSE_BYTES = 65_536;
  public static final int DEFAULT_MAX_META_BYTES = 1_024;
  /** Every group, when no patterns are given. */
  public static final List<String> DEFAULT_GROUP_PATTERNS = List.of("*");

  public ProxyOptions {
    subscribeGroups = List.copyOf(subscribeGroups);
    publishGroups = List.copyOf(publishGroups);
  }

  static ProxyOptions from(Settings gateway) {
    Settings s = gateway.section("proxy");
    return new ProxyOptions(url(s, "rpcUrl"), url(s, "connectUrl"), url(s, "subscribeUrl"), url(s, "publishUrl"),
      patterns(s, "subscribeGroups"), patterns(s, "publishGroups"),
      s.longIn("timeoutMs", DEFAULT_TIMEOUT_MS, 1, 600_000),
      s.intIn("maxInFlight", DEFAULT_MAX_IN_FLIGHT, 1, 1_000_000),
      s.intIn("maxConnections", DEFAULT_MAX_CONNECTIONS, 1, 10_000),
      s.intIn("maxResponseBytes", DEFAULT_MAX_RESPONSE_BYTES, 256, 16 * 1024 * 1024),
      s.intIn("maxMetaBytes", DEFAULT_MAX_META_BYTES, 2, 65_536));
  }

  private static String url(Settings s, String key) {
    String value = s.string(key, "").strip();
    if (value.isEmpty()) {
      return value;
    }
    URI uri;
    try {
      uri = URI.create(value);
    } catch (IllegalArgumentException e) {
      throw s.invalid(key, value, "an http:// or https:// URL");
    }
    if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
      throw s.invalid(key, value, "an http:// or https:// URL");
    }
    return value;
  }

  private static List<GroupRule> patterns(Settings s, String key) {
    List<GroupRule> rules = new java.util.ArrayList<>();
    for (String pattern : s.strings(key, DEFAULT_GROUP_PATTERNS)) {
      try {
        rules.add(new GroupRule(pattern.strip(), true, true));
      } catch (IllegalArgumentException e) {
        throw s.invalid(key, pattern, "group patterns such as \"chat.*\" (" + e.getMessage() + ")");
      }
    }
    return rules;
  }

  public boolean rpcEnabled() {
    return !rpcUrl.isEmpty();
  }

  public boolean connectEnabled() {
    return !connectUrl.isEmpty();
  }

  /** Whether a client's subscribe to the group is asked about. */
  public boolean asksSubscribe(String group) {
    return !subscribeUrl.isEmpty() && subscribeGroups.stream().anyMatch(rule -> rule.matches(group));
  }

  /** Whether a client's publish to the group is asked about. */
  public boolean asksPublish(String group) {
    return !publishUrl.isEmpty() && publishGroups.stream().anyMatch(rule -> rule.matches(group));
  }

  /** Whether any hook is configured (the HTTP client is made only then). */
  public boolean anyHook() {
    return rpcEnabled() || connectEnabled() || !subscribeUrl.isEmpty() || !publishUrl.isEmpty();
  }
}
