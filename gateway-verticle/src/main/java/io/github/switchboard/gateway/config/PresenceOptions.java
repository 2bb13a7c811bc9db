package io.github.switchboard.gateway.config;

import io.github.switchboard.launcher.settings.Settings;

import java.util.List;

/**
 * Which groups keep a cluster-wide member list, and how long an entry lives unrefreshed.
 *
 * @param groups   group patterns (written like a {@link GroupRule} pattern); empty: presence off
 * @param ttlMs    an entry not refreshed this long (its gateway died) disappears; refreshed
 *                 every third of it
 * @param pageSize members in one {@code presence} reply at most; the client asks for the next
 *                 page with {@code after}
 */
public record PresenceOptions(List<String> groups, long ttlMs, int pageSize) {

  public static final List<String> DEFAULT_GROUPS = List.of("chat.*");
  public static final long DEFAULT_TTL_MS = 30_000;
  public static final int DEFAULT_PAGE_SIZE = 100;

  public PresenceOptions {
    groups = List.copyOf(groups);
    // A bad pattern fails start-up here rather than at the first join.
    groups.forEach(p -> new GroupRule(p, true, false));
  }

  static PresenceOptions from(Settings s) {
    List<String> groups = s.strings("presenceGroups", DEFAULT_GROUPS);
    try {
      return new PresenceOptions(groups, s.longIn("presenceTtlMs", DEFAULT_TTL_MS, 300, Long.MAX_VALUE),
        s.intIn("presencePageSize", DEFAULT_PAGE_SIZE, 1, 1_000));
    } catch (IllegalArgumentException e) {
      throw e.getMessage().startsWith("setting ") ? e : s.invalid("presenceGroups", groups, "group patterns (" + e.getMessage() + ")");
    }
  }
}
