package io.github.switchboard.gateway.stream;

import io.github.switchboard.coordination.history.HistoryPolicy;
import io.github.switchboard.gateway.config.GroupRule;
import io.github.switchboard.protocol.Groups;

import java.util.List;

/**
 * Which groups are streams, from the group rules: the first rule that matches a group decides,
 * as it does for permissions. Chat rooms are streams whatever the rules say: the chat service
 * numbers and keeps them. Presence event groups never are: gateways publish them straight to
 * the event bus, and a member list is read with a presence request, not replayed. Nor are
 * {@code scores} and {@code random}: the simulator publishes them straight to the event bus
 * (scores recover through {@code GET /events}). The hub is a stream when a rule gives
 * {@code hub} a history.
 */
public final class StreamGroups {

  /** How a group's messages are numbered and kept. */
  public enum Kind {
    /** At most once: nothing numbered, nothing kept. */
    PLAIN,
    /** A chat room: numbered and kept by the chat service. */
    CHAT,
    /** Numbered and kept in the gateways' stream store, as its rule's history says. */
    STREAM
  }

  private final List<GroupRule> rules;

  public StreamGroups(List<GroupRule> rules) {
    this.rules = List.copyOf(rules);
  }

  public Kind kind(String group) {
    if (Groups.roomOf(group) != null) {
      return Kind.CHAT;
    }
    return policy(group) == null ? Kind.PLAIN : Kind.STREAM;
  }

  public boolean isStream(String group) {
    return kind(group) != Kind.PLAIN;
  }

  /** The history of a group of kind {@link Kind#STREAM}; null for any other. */
  public HistoryPolicy policy(String group) {
    if (Groups.presenceOf(group) != null || Groups.roomOf(group) != null || Groups.SCORES.equals(group)
      || Groups.RANDOM.equals(group)) {
      return null;
    }
    for (GroupRule rule : rules) {
      if (rule.matches(group)) {
        return rule.history();
      }
    }
    return null;
  }
}
