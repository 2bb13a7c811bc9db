package io.github.switchboard.gateway.config;

import io.vertx.core.json.JsonObject;

/**
 * What clients may do with the groups a pattern matches. A pattern is a group name, a prefix
 * followed by {@code *} ({@code chat.*}), or {@code *} alone.
 */
public record GroupRule(String pattern, boolean subscribe, boolean publish) {

  public GroupRule {
    if (pattern == null || pattern.isEmpty() || (pattern.indexOf('*') >= 0 && pattern.indexOf('*') != pattern.length() - 1)) {
      throw new IllegalArgumentException("group pattern must be a name, a prefix ending in '*', or '*': " + pattern);
    }
  }

  public boolean matches(String group) {
    return pattern.endsWith("*")
      ? group.startsWith(pattern.substring(0, pattern.length() - 1))
      : group.equals(pattern);
  }

  public static GroupRule fromJson(JsonObject json) {
    try {
      return new GroupRule(json.getString("pattern"), json.getBoolean("subscribe", true), json.getBoolean("publish", false));
    } catch (ClassCastException e) {
      throw new IllegalArgumentException("a rule has a string 'pattern' and boolean 'subscribe' and 'publish': " + json.encode());
    }
  }

  public JsonObject toJson() {
    return new JsonObject().put("pattern", pattern).put("subscribe", subscribe).put("publish", publish);
  }
}
