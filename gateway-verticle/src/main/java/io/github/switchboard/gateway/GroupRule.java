package io.github.switchboard.gateway;

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

  static GroupRule fromJson(JsonObject json) {
    return new GroupRule(json.getString("pattern"), json.getBoolean("subscribe", true), json.getBoolean("publish", false));
  }

  JsonObject toJson() {
    return new JsonObject().put("pattern", pattern).put("subscribe", subscribe).put("publish", publish);
  }
}
