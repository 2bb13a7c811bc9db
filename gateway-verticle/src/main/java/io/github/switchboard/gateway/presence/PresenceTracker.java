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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Who is in the groups that keep presence (chat rooms by default), across all gateways.
 *
 * <p>Each member is an entry of one store for all groups ({@link PresenceStore}: the Hazelcast
 * map {@code switchboard.presence} when clustered, this process's memory when embedded),
 * written with a time to live and refreshed by its gateway at a third of it (a tenth of the
 * members each tenth of that period). A gateway that dies
 * stops refreshing, so its members vanish within the TTL; a member that leaves is removed, so a
 * group nobody is in holds nothing. Join and leave events go to the group
 * {@code presence:<group>} for the clients that subscribed to it.
 */
public final class PresenceTracker implements GroupRegistry.MembershipListener {

  /** How long a group's member list is reused for {@code presence} requests. */
  public static final long LIST_CACHE_MS = 1_000;
  private static final long LIST_CACHE_NANOS = TimeUnit.MILLISECONDS.toNanos(LIST_CACHE_MS);
  /** Groups whose lists are cached at once, at most. */
  static final int MAX_CACHED_LISTS = 1_000;
  /**
   * The refresh period (a third of the TTL) is cut in this many ticks, and each tick writes the
   * members whose connection id falls in its share: 1,500 writes at once, every ten seconds,
   * were felt by every client of the gateway (PresenceFloodTest), 150 a second are not.
   */
  static final int REFRESH_TICKS = 10;
  private static final Logger log = LoggerFactory.getLogger(PresenceTracker.class);

  private final Vertx vertx;
  private final PresenceStore store;
  private final List<GroupRule> patterns;
  private final long ttlMs;
  private final int pageSize;
  /** Event loop only. */
  private final Map<String, Cached> lists = new HashMap<>();
  private GroupRegistry groups;
  private long timerId = -1;
  private long tick;

  public PresenceTracker(Vertx vertx, PresenceOptions options) {
    this.vertx = vertx;
    this.store = PresenceStore.of(vertx);
    this.patterns = options.groups().stream().map(p -> new GroupRule(p, true, false)).toList();
    this.ttlMs = options.ttlMs();
    this.pageSize = options.pageSize();
  }

  public boolean tracks(String group) {
    return Groups.presenceOf(group) == null && patterns.stream().anyMatch(rule -> rule.matches(group));
  }

  /** Starts refreshing the entries of this gateway's members. */
  public void start(GroupRegistry registry) {
    this.groups = registry;
    timerId = vertx.setPeriodic(Math.max(1, ttlMs / 3 / REFRESH_TICKS), id -> refresh(tick++ % REFRESH_TICKS));
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
    store.put(group, session.id(), member, ttlMs)
      .onFailure(e -> log.warn("{} group={} presence not recorded: {}", session, group, e.getMessage()));
    publish(group, "join", member);
  }

  @Override
  public void left(String group, Session session) {
    if (!tracks(group)) {
      return;
    }
    store.remove(group, session.id())
      .onFailure(e -> log.warn("{} group={} presence not removed: {}", session, group, e.getMessage()));
    publish(group, "leave", member(session));
  }

  /**
   * One page of a group's members, sorted by connection id, and where the next page starts.
   * {@code membersJson} is {@code members} as a JSON array, encoded once per page of a cached
   * list however many sockets ask for it.
   */
  public record Page(List<JsonObject> members, String membersJson, String next, int total) {
  }

  /**
   * The members of the group on every gateway ({@code {"id":connectionId,"member":name}}) whose
   * id sorts after {@code after} (null: from the first), at most {@code pageSize} of them.
   *
   * <p>A list is read from the cluster map and sorted at most once per {@link #LIST_CACHE_MS}
   * per group, however many sockets ask: a request for a big room used to read, parse, sort
   * and encode every member on the event loop, and a few sockets asking in a loop stalled
   * every other client of the gateway. A page may therefore be up to that old.
   */
  public Future<Page> page(String group, String after) {
    return sortedMembers(group).map(sorted -> {
      List<JsonObject> all = sorted.members();
      int from = 0;
      if (after != null) {
        // Binary search on the ids: the first member after the given one.
        int lo = 0;
        int hi = all.size();
        while (lo < hi) {
          int mid = (lo + hi) >>> 1;
          if (all.get(mid).getString("id").compareTo(after) <= 0) {
            lo = mid + 1;
          } else {
            hi = mid;
          }
        }
        from = lo;
      }
      int to = Math.min(all.size(), from + pageSize);
      String next = to < all.size() ? all.get(to - 1).getString("id") : null;
      List<JsonObject> members = all.subList(from, to);
      // Encoding 100 members per request made ~15 MB/s of garbage per gateway under a presence
      // flood, and young collections stalled every client.
      String json = sorted.encodedPages().computeIfAbsent(from, f -> new JsonArray(new ArrayList<>(members)).encode());
      return new Page(members, json, next, all.size());
    });
  }

  /** How many connections are in a group on every gateway, and how many distinct members they are. */
  public record Stats(int connections, int users) {
  }

  /** The group's counts, from the same cached list as {@link #page}. */
  public Future<Stats> stats(String group) {
    return sortedMembers(group).map(sorted -> new Stats(sorted.members().size(),
      (int) sorted.members().stream().map(m -> m.getString("member")).distinct().count()));
  }

  /** A group's members sorted by id, and the pages of it encoded so far (by first index). */
  private record Sorted(List<JsonObject> members, Map<Integer, String> encodedPages) {
  }

  private Future<Sorted> sortedMembers(String group) {
    long now = System.nanoTime();
    Cached cached = lists.get(group);
    if (cached != null && now - cached.readAt() < LIST_CACHE_NANOS) {
      return cached.members();
    }
    Future<Sorted> members = store.members(group).map(all -> new Sorted(all.stream()
      .sorted((a, b) -> a.getString("id").compareTo(b.getString("id")))
      .toList(), new HashMap<>()));
    if (lists.size() >= MAX_CACHED_LISTS) {
      // Names are the clients' choice: the cache never holds more than this many lists.
      lists.values().removeIf(c -> now - c.readAt() >= LIST_CACHE_NANOS);
      if (lists.size() >= MAX_CACHED_LISTS) {
        return members;
      }
    }
    Cached entry = new Cached(members, now);
    lists.put(group, entry);
    // A failed read is not kept: the next request tries again.
    members.onFailure(e -> lists.remove(group, entry));
    return members;
  }

  /** A group's sorted member list, read at {@code readAt} (or being read). */
  private record Cached(Future<Sorted> members, long readAt) {
  }

  /**
   * Writes again the entries of the local members in this tick's share (by connection id), in
   * one batch that the store sends off the event loop (sent from the loop, 1,500 writes held it
   * ~75 ms, slices or not). A member that left while the batch was on its way may have been
   * written back after its removal: once every write is answered, such members are removed again.
   */
  private void refresh(long share) {
    List<Map.Entry<String, Session>> sessions = new ArrayList<>();
    List<PresenceStore.Member> members = new ArrayList<>();
    for (String group : groups.groupNames()) {
      if (tracks(group)) {
        groups.forEachMember(group, session -> {
          if (Math.floorMod(session.id().hashCode(), REFRESH_TICKS) != share) {
            return;
          }
          sessions.add(Map.entry(group, session));
          members.add(new PresenceStore.Member(group, session.id(), member(session)));
        });
      }
    }
    if (members.isEmpty()) {
      return;
    }
    store.putAll(members, ttlMs).onComplete(ar -> {
      if (ar.failed() || ar.result() > 0) {
        log.debug("presence: {} of {} entries not refreshed: {}", ar.failed() ? members.size() : ar.result(),
          members.size(), ar.failed() ? ar.cause().getMessage() : "write failed");
      }
      for (Map.Entry<String, Session> entry : sessions) {
        if (!entry.getValue().inGroup(entry.getKey())) {
          store.remove(entry.getKey(), entry.getValue().id());
        }
      }
    });
  }

  /** A member's entry: its connection id, its name, and the connect hook's meta for its user if any. */
  private static JsonObject member(Session session) {
    JsonObject member = new JsonObject().put("id", session.id()).put("member", session.sender());
    if (session.principal() != null && session.principal().meta() != null) {
      member.put("meta", session.principal().meta());
    }
    return member;
  }

  private void publish(String group, String type, JsonObject member) {
    JsonObject event = new JsonObject().put("type", type).put("group", group).mergeIn(member);
    vertx.eventBus().publish(Groups.address(Groups.presenceEvents(group)), Delivery.json(event.encode()).encode());
  }
}
