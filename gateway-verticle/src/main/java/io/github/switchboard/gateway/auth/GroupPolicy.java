package io.github.switchboard.gateway.auth;

import io.github.switchboard.gateway.config.GroupRule;

import io.github.switchboard.protocol.Groups;

import java.util.List;

/**
 * Decides from the configured {@link GroupRule}s whether a client may subscribe or publish.
 * Personal groups ({@code user:U}) are outside the rules: only U may follow {@code user:U} and
 * nobody publishes there but the server.
 */
public final class GroupPolicy {

  private final List<GroupRule> rules;

  public GroupPolicy(List<GroupRule> rules) {
    this.rules = List.copyOf(rules);
  }

  public boolean maySubscribe(String group) {
    if (Groups.isPersonal(group)) {
      return false;
    }
    GroupRule rule = ruleFor(group);
    return rule != null && rule.subscribe();
  }

  public boolean mayPublish(String group) {
    if (Groups.isPersonal(group)) {
      return false;
    }
    GroupRule rule = ruleFor(group);
    return rule != null && rule.publish();
  }

  /** Configuration and, for an authenticated connection, its token must both allow it. */
  public boolean maySubscribe(Principal principal, String group) {
    if (Groups.isPersonal(group)) {
      return principal != null && group.equals(Groups.personal(principal.subject()));
    }
    return maySubscribe(group) && (principal == null || principal.maySubscribe(group));
  }

  public boolean mayPublish(Principal principal, String group) {
    return mayPublish(group) && (principal == null || principal.mayPublish(group));
  }

  private GroupRule ruleFor(String group) {
    for (GroupRule rule : rules) {
      if (rule.matches(group)) {
        return rule;
      }
    }
    return null;
  }
}
