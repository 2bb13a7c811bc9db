package io.github.switchboard.gateway;

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

  private GroupRule ruleFor(String group) {
    for (GroupRule rule : rules) {
      if (rule.matches(group)) {
        return rule;
      }
    }
    return null;
  }
}
