package io.github.switchboard.gateway.presence;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.Shareable;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Presence in this process (embedded mode): one per Vert.x instance, shared by the gateways it
 * runs, so they see each other's members as clustered gateways do. A group's entry goes with its
 * last member. Entries past their TTL (a refresh that never came) are dropped when read.
 */
final class LocalPresenceStore implements PresenceStore, Shareable {

  private static final String LOCAL_MAP = "switchboard.presence";

  private final Map<String, Map<String, Held>> groups = new ConcurrentHashMap<>();

  private record Held(JsonObject member, long expiresAt) {
  }

  static LocalPresenceStore of(Vertx vertx) {
    return (LocalPresenceStore) vertx.sharedData().<String, Shareable>getLocalMap(LOCAL_MAP)
      .computeIfAbsent("store", k -> new LocalPresenceStore());
  }

  @Override
  public Future<Void> put(String group, String id, JsonObject member, long ttlMs) {
    Held held = new Held(member.copy(), System.nanoTime() + ttlMs * 1_000_000);
    // compute, not computeIfAbsent + put: a remove of the last member in between would drop the
    // group's map, and the entry would go into a map nobody reads.
    groups.compute(group, (g, members) -> {
      Map<String, Held> m = members == null ? new ConcurrentHashMap<>() : members;
      m.put(id, held);
      return m;
    });
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> remove(String group, String id) {
    groups.computeIfPresent(group, (g, members) -> {
      members.remove(id);
      return members.isEmpty() ? null : members;
    });
    return Future.succeededFuture();
  }

  @Override
  public Future<List<JsonObject>> members(String group) {
    Map<String, Held> members = groups.get(group);
    if (members == null) {
      return Future.succeededFuture(List.of());
    }
    long now = System.nanoTime();
    List<JsonObject> out = new ArrayList<>(members.size());
    members.forEach((id, held) -> {
      if (held.expiresAt() - now > 0) {
        out.add(held.member().copy());
      } else {
        remove(group, id);
      }
    });
    return Future.succeededFuture(out);
  }

  /** Groups with at least one member (for tests). */
  int groupCount() {
    return groups.size();
  }
}
