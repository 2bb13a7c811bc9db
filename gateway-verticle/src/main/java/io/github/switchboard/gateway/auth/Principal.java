package io.github.switchboard.gateway.auth;

import io.github.switchboard.gateway.config.GroupRule;

import java.util.List;

/**
 * Who holds an authenticated connection: the token's subject, the groups its token lets it
 * subscribe and publish to, and when the token expires (epoch ms; {@link Long#MAX_VALUE} when
 * it does not).
 */
public record Principal(String subject, List<GroupRule> groups, long expiresAt) {

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
