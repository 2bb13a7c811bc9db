package io.github.switchboard.gateway.presence;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * Where the members of presence groups are kept: one structure for all groups, an entry per
 * member with a time to live, so a group whose last member left costs nothing (one map per
 * group, never removed, used to cost ~25 KB of Hazelcast state per group on every member).
 */
interface PresenceStore {

  /** Writes (or refreshes) a member; it disappears {@code ttlMs} after its last write. */
  Future<Void> put(String group, String id, JsonObject member, long ttlMs);

  /** One member of one group, as a refresh writes it. */
  record Member(String group, String id, JsonObject member) {
  }

  /**
   * Writes many members at once (a gateway's refresh of all its members); completes when every
   * write is answered, with the number that failed (each is tried again at the next refresh).
   */
  default Future<Integer> putAll(List<Member> members, long ttlMs) {
    List<Future<Void>> writes = new java.util.ArrayList<>(members.size());
    for (Member m : members) {
      writes.add(put(m.group(), m.id(), m.member(), ttlMs));
    }
    return Future.join(writes).transform(ar -> Future.succeededFuture((int) writes.stream().filter(Future::failed).count()));
  }

  Future<Void> remove(String group, String id);

  /** The group's members on every gateway, unsorted. */
  Future<List<JsonObject>> members(String group);

  /** The cluster's store when clustered, else the one of this process. */
  static PresenceStore of(Vertx vertx) {
    return ClusterPresenceStore.open(vertx).orElseGet(() -> LocalPresenceStore.of(vertx));
  }
}
