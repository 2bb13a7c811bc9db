package io.github.switchboard.gateway.presence;

import com.hazelcast.config.IndexConfig;
import com.hazelcast.config.IndexType;
import com.hazelcast.config.MapConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastJsonValue;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicate;
import com.hazelcast.query.Predicates;
import io.github.switchboard.coordination.ClusterStorage;
import io.github.switchboard.coordination.HazelcastFutures;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Presence in the cluster: the one Hazelcast map {@value #MAP}, keyed {@code <id>@<group>}, with
 * a hash index on the group. Each value is {@code {"id","member","group"}} as JSON, so the query
 * that lists a group needs no class of ours on the members that hold it (chat and simulator
 * processes hold partitions too). Listing asks every member, which answers from its index; the
 * tracker reads a group's list at most once a second.
 *
 * <p>Co-locating a group's members in one partition (string partitioning on the part after the
 * {@code @}) would let a list read one partition only, but the strategy of a map added as
 * dynamic config was not applied to the keys the gateways wrote (a partition query found none
 * of them in a FailoverTest run), so the simple query it is.
 */
final class ClusterPresenceStore implements PresenceStore {

  static final String MAP = "switchboard.presence";

  private final Vertx vertx;
  private final IMap<String, HazelcastJsonValue> map;

  private ClusterPresenceStore(Vertx vertx, HazelcastInstance hazelcast) {
    this.vertx = vertx;
    // Dynamic config reaches every member; each gateway adds the same one before first use.
    hazelcast.getConfig().addMapConfig(new MapConfig(MAP).setBackupCount(1)
      .addIndexConfig(new IndexConfig(IndexType.HASH, "group")));
    this.map = hazelcast.getMap(MAP);
  }

  static Optional<PresenceStore> open(Vertx vertx) {
    return ClusterStorage.hazelcast(vertx).map(hz -> new ClusterPresenceStore(vertx, hz));
  }

  /** Connection ids never hold {@code @}: a key names one member of one group. */
  static String key(String group, String id) {
    return id + "@" + group;
  }

  @Override
  public Future<Void> put(String group, String id, JsonObject member, long ttlMs) {
    JsonObject value = member.copy().put("group", group);
    return HazelcastFutures.on(vertx.getOrCreateContext(), map.setAsync(key(group, id),
      new HazelcastJsonValue(value.encode()), ttlMs, TimeUnit.MILLISECONDS));
  }

  /**
   * From a worker thread: each write's serialization and invocation cost ~50 us on the thread
   * that makes it, and 1,500 of them on the event loop (a refresh, every ttl/3) held it about
   * 75 ms even in slices, which every client of the gateway felt (PresenceFloodTest).
   */
  @Override
  public Future<Integer> putAll(List<Member> members, long ttlMs) {
    return vertx.executeBlocking(() -> {
      List<CompletableFuture<Void>> writes = new ArrayList<>(members.size());
      for (Member m : members) {
        JsonObject value = m.member().copy().put("group", m.group());
        writes.add(map.setAsync(key(m.group(), m.id()), new HazelcastJsonValue(value.encode()), ttlMs,
          TimeUnit.MILLISECONDS).toCompletableFuture());
      }
      int failed = 0;
      for (CompletableFuture<Void> write : writes) {
        try {
          // Bounded by Hazelcast's own operation timeout.
          write.join();
        } catch (RuntimeException e) {
          failed++;
        }
      }
      return failed;
    }, false);
  }

  @Override
  public Future<Void> remove(String group, String id) {
    return HazelcastFutures.on(vertx.getOrCreateContext(), map.removeAsync(key(group, id))).mapEmpty();
  }

  @Override
  public Future<List<JsonObject>> members(String group) {
    Predicate<String, HazelcastJsonValue> inGroup = Predicates.equal("group", group);
    // A query waits for every member's answer: a worker thread, not the event loop.
    return vertx.executeBlocking(() -> {
      Collection<HazelcastJsonValue> values = map.values(inGroup);
      List<JsonObject> members = new ArrayList<>(values.size());
      for (HazelcastJsonValue value : values) {
        JsonObject member = new JsonObject(value.getValue());
        member.remove("group");
        members.add(member);
      }
      return members;
    }, false);
  }
}
