package io.github.switchboard.gateway.auth;

import io.github.switchboard.gateway.config.GroupRule;

import java.util.List;

/** Decides from the configured {@link GroupRule}s whether a client may subscribe or publish. */
public final class GroupPolicy {

  private final List<GroupRule> rules;

  public GroupPolicy(List<GroupRule> rules) {
    this.rules = List.copyOf(rules);
  }

  public boolean maySubscribe(String group) {
    GroupRule rule = ruleFor(group);
    return rule != null && rule.subscribe();
  }

  public boolean mayPublish(String group) {
    GroupRule rule = ruleFor(group);
    return rule != null && rule.publish();
  }

  /** Configuration and, for an authenticated connection, its token must both allow it. */
  public boolean maySubscribe(Principal principal, String group) {
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
