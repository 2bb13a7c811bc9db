package io.github.switchboard.gateway.auth;

import io.github.switchboard.gateway.config.GroupRule;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * Who holds an authenticated connection: the user id (a token's subject, or the user the
 * backend's connect hook named), the groups it may subscribe and publish to, when it expires
 * (epoch ms; {@link Long#MAX_VALUE} when it does not), and, from the connect hook only, the
 * groups its socket joins on open and its presence meta (null when none).
 */
public record Principal(String subject, List<GroupRule> groups, long expiresAt, List<String> joins, JsonObject meta) {

  /** A user the backend vouched for: the configured group rules alone decide what it may do. */
  private static final List<GroupRule> ANY_GROUP = List.of(new GroupRule("*", true, true));

  public Principal {
    joins = List.copyOf(joins);
  }

  /** A token's principal. */
  public Principal(String subject, List<GroupRule> groups, long expiresAt) {
    this(subject, groups, expiresAt, List.of(), null);
  }

  /** The user the connect hook named, with the groups to join and its meta. */
  public static Principal fromBackend(String user, List<String> joins, JsonObject meta) {
    return new Principal(user, ANY_GROUP, Long.MAX_VALUE, joins, meta);
  }

  public boolean maySubscribe(String group) {
    return groups.stream().anyMatch(rule -> rule.subscribe() && rule.matches(group));
  }

  public boolean mayPublish(String group) {
    return groups.stream().anyMatch(rule -> rule.publish() && rule.matches(group));
  }

  public boolean expired(long now) {
    return now >= expiresAt;
  }
}
