package io.github.switchboard.gateway.config;

import io.github.switchboard.coordination.history.HistoryPolicy;
import io.vertx.core.json.JsonObject;

/**
 * What clients may do with the groups a pattern matches, and whether those groups are streams.
 * A pattern is a group name, a prefix followed by {@code *} ({@code chat.*}), or {@code *} alone.
 *
 * @param history null for a plain group (at-most-once, nothing kept); else the group is a
 *                stream: every message published to it is numbered cluster-wide and the last
 *                {@code size} are kept for {@code ttlMs} after the last one, for recovery.
 *                Chat rooms are streams whatever the rules say (the chat service keeps them,
 *                {@code chat.historySize}); {@code presence:} groups, {@code scores} and
 *                {@code random} never are (their publishers do not go through the gateways)
 */
public record GroupRule(String pattern, boolean subscribe, boolean publish, HistoryPolicy history) {

  /** Largest history a rule may ask for per group (every gateway may replay it at once). */
  public static final int MAX_HISTORY_SIZE = 10_000;
  /** Shortest history TTL: a stream freed sooner would be gone before a client can come back. */
  public static final long MIN_HISTORY_TTL_MS = 1_000;

  public GroupRule {
    if (pattern == null || pattern.isEmpty() || (pattern.indexOf('*') >= 0 && pattern.indexOf('*') != pattern.length() - 1)) {
      throw new IllegalArgumentException("group pattern must be a name, a prefix ending in '*', or '*': " + pattern);
    }
    if (history != null && (history.size() > MAX_HISTORY_SIZE || history.ttlMs() < MIN_HISTORY_TTL_MS)) {
      throw new IllegalArgumentException("history of '" + pattern + "' must keep 1 to " + MAX_HISTORY_SIZE
        + " messages for at least " + MIN_HISTORY_TTL_MS + " ms");
    }
  }

  public GroupRule(String pattern, boolean subscribe, boolean publish) {
    this(pattern, subscribe, publish, null);
  }

  public boolean matches(String group) {
    return pattern.endsWith("*")
      ? group.startsWith(pattern.substring(0, pattern.length() - 1))
      : group.equals(pattern);
  }

  public static GroupRule fromJson(JsonObject json) {
    HistoryPolicy history;
    try {
      JsonObject h = json.getJsonObject("history");
      history = h == null ? null : new HistoryPolicy(h.getInteger("size", 100), h.getLong("ttlMs", 3_600_000L));
    } catch (ClassCastException e) {
      throw new IllegalArgumentException("'history' is {\"size\": N, \"ttlMs\": MS}: " + json.encode());
    }
    try {
      return new GroupRule(json.getString("pattern"), json.getBoolean("subscribe", true), json.getBoolean("publish", false),
        history);
    } catch (ClassCastException e) {
      throw new IllegalArgumentException("a rule has a string 'pattern' and boolean 'subscribe' and 'publish': " + json.encode());
    }
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("pattern", pattern).put("subscribe", subscribe).put("publish", publish);
    if (history != null) {
      json.put("history", new JsonObject().put("size", history.size()).put("ttlMs", history.ttlMs()));
    }
    return json;
  }
}
