package io.github.switchboard.gateway.config;

import io.github.switchboard.launcher.settings.Settings;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * Who may reach the gateway and do what, besides tokens ({@link AuthOptions}).
 *
 * @param groups         group rules in order; the first that matches a group decides
 * @param allowedOrigins page origins allowed to open sockets besides this gateway's own;
 *                       {@code "*"} for any
 * @param apiKey         bearer key required by HTTP publish; null when none is configured.
 *                       Never logged
 * @param allowLocalhostOrigins whether pages on {@code localhost} / {@code 127.0.0.1} / {@code [::1]}
 *                       at any port may open sockets and call the HTTP API from the browser
 *                       (a seed app's page on its own dev server); null: yes when embedded
 *                       (the one-command run), no when clustered
 */
public record AccessOptions(List<GroupRule> groups, List<String> allowedOrigins, String apiKey,
                            Boolean allowLocalhostOrigins) {

  public static final List<GroupRule> DEFAULT_GROUPS = List.of(
    new GroupRule("scores", true, false),
    new GroupRule("random", true, false),
    new GroupRule("*", true, true));

  public AccessOptions {
    groups = List.copyOf(groups);
    allowedOrigins = List.copyOf(allowedOrigins);
  }

  static AccessOptions from(Settings s) {
    String localhost = s.string("allowLocalhostOrigins", null);
    return new AccessOptions(rules(s), s.strings("allowedOrigins", List.of()), s.string("apiKey", null),
      localhost == null ? null : s.bool("allowLocalhostOrigins", false));
  }

  private static List<GroupRule> rules(Settings s) {
    JsonArray array = s.array("groups");
    if (array == null) {
      return DEFAULT_GROUPS;
    }
    List<GroupRule> rules = new ArrayList<>();
    for (Object item : array) {
      if (!(item instanceof JsonObject rule)) {
        throw s.invalid("groups", item, "an array of {pattern, subscribe, publish} objects");
      }
      try {
        rules.add(GroupRule.fromJson(rule));
      } catch (IllegalArgumentException e) {
        throw s.invalid("groups", rule.encode(), "an array of valid rules (" + e.getMessage() + ")");
      }
    }
    return List.copyOf(rules);
  }

  /** Never prints the key. */
  @Override
  public String toString() {
    return "AccessOptions[groups=" + groups + ", allowedOrigins=" + allowedOrigins + ", apiKey="
      + (apiKey == null ? "none" : "set") + ", allowLocalhostOrigins=" + allowLocalhostOrigins + "]";
  }
}
