package io.github.switchboard.gateway.presence;

import io.github.switchboard.gateway.config.GroupRule;
import io.github.switchboard.gateway.config.PresenceOptions;
import io.github.switchboard.gateway.fanout.GroupRegistry;
import io.github.switchboard.gateway.session.Session;
import io.github.switchboard.protocol.Delivery;
import io.github.switchboard.protocol.Groups;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Who is in the groups that keep presence (chat rooms by default), across all gateways.
 *
 * <p>Each member is an entry of the cluster-wide map {@code switchboard.presence.<group>} (a
 * Hazelcast map when clustered, a local one when embedded), keyed by connection id, written
 * with a time to live and refreshed by its gateway at a third of it. A gateway that dies stops
 * refreshing, so its members vanish within the TTL. Join and leave events go to the group
 * {@code presence:<group>} for the clients that subscribed to it.
 */
public final class PresenceTracker implements GroupRegistry.MembershipListener {

  public static final String MAP_PREFIX = "switchboard.presence.";
  private static final Logger log = LoggerFactory.getLogger(PresenceTracker.class);

  private final Vertx vertx;
  private final List<GroupRule> patterns;
  private final long ttlMs;
  private GroupRegistry groups;
  private long timerId = -1;

  public PresenceTracker(Vertx vertx, PresenceOptions options) {
    this.vertx = vertx;
    this.patterns = options.groups().stream().map(p -> new GroupRule(p, true, false)).toList();
    this.ttlMs = options.ttlMs();
  }

  public boolean tracks(String group) {
    return Groups.presenceOf(group) == null && patterns.stream().anyMatch(rule -> rule.matches(group));
  }

  /** Starts refreshing the entries of this gateway's members. */
  public void start(GroupRegistry registry) {
    this.groups = registry;
    timerId = vertx.setPeriodic(Math.max(1, ttlMs / 3), id -> refresh());
  }

  public void stop() {
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
    }
  }

  @Override
  public void joined(String group, Session session) {
    if (!tracks(group)) {
      return;
    }
    JsonObject member = member(session);
    map(group).compose(map -> map.put(session.id(), member.encode(), ttlMs))
      .onFailure(e -> log.warn("{} group={} presence not recorded: {}", session, group, e.getMessage()));
    publish(group, "join", member);
  }

  @Override
  public void left(String group, Session session) {
    if (!tracks(group)) {
      return;
    }
    map(group).compose(map -> map.remove(session.id()))
      .onFailure(e -> log.warn("{} group={} presence not removed: {}", session, group, e.getMessage()));
    publish(group, "leave", member(session));
  }

  /** The members of the group on every gateway: {@code [{"id":connectionId,"member":name}]}. */
  public Future<JsonArray> members(String group) {
    return map(group).compose(AsyncMap::entries).map(entries -> {
      JsonArray members = new JsonArray();
      entries.values().stream().map(JsonObject::new)
        .sorted((a, b) -> a.getString("id").compareTo(b.getString("id")))
        .forEach(members::add);
      return members;
    });
  }

  private void refresh() {
    for (String group : groups.groupNames()) {
      if (!tracks(group)) {
        continue;
      }
      map(group).onSuccess(map -> groups.forEachMember(group, session ->
        map.put(session.id(), member(session).encode(), ttlMs)));
    }
  }

  private static JsonObject member(Session session) {
    return new JsonObject().put("id", session.id()).put("member", session.sender());
  }

  private Future<AsyncMap<String, String>> map(String group) {
    return vertx.sharedData().getAsyncMap(MAP_PREFIX + group);
  }

  private void publish(String group, String type, JsonObject member) {
    JsonObject event = new JsonObject().put("type", type).put("group", group).mergeIn(member);
    vertx.eventBus().publish(Groups.address(Groups.presenceEvents(group)), Delivery.json(event.encode()).encode());
  }
}
