package io.github.switchboard.gateway.fanout;

import io.github.switchboard.gateway.metrics.GatewayStats;
import io.github.switchboard.gateway.transport.FrameWriter;
import io.github.switchboard.gateway.session.Session;
import io.github.switchboard.protocol.Delivery;
import io.github.switchboard.protocol.Groups;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Which local sockets are in which group. A gateway holds exactly one event bus consumer on
 * {@code group.G} while at least one of its sockets is in G: registered when the first joins,
 * unregistered when the last leaves. A delivery is decoded once and written to every member.
 *
 * <p>Runs on the gateway verticle's event loop only.
 */
public final class GroupRegistry {

  private static final Logger log = LoggerFactory.getLogger(GroupRegistry.class);

  private final Vertx vertx;
  private final EventBus eventBus;
  private final FrameWriter writer;
  private final GatewayStats stats;
  /** Wait after a new consumer's registration before its group counts as joined; 0: none. */
  private final long settleMs;
  private final Map<String, LocalGroup> groups = new HashMap<>();
  private MembershipListener listener = MembershipListener.NONE;

  /** Told when a socket joins or leaves a group (presence uses it). */
  public interface MembershipListener {
    MembershipListener NONE = new MembershipListener() {
      @Override
      public void joined(String group, Session session) {
      }

      @Override
      public void left(String group, Session session) {
      }
    };

    void joined(String group, Session session);

    void left(String group, Session session);
  }

  public void listener(MembershipListener value) {
    listener = value;
  }

  /**
   * {@code settleMs}: in cluster mode, how long after a new consumer's registration its group
   * counts as joined. Other nodes learn of a new consumer from a Hazelcast event, so a message
   * published elsewhere right after the registration may not reach this gateway; the wait lets
   * "subscribed" (and a room's welcome) mean what it says. 0 when not clustered.
   */
  public GroupRegistry(Vertx vertx, FrameWriter writer, GatewayStats stats, long settleMs) {
    this.vertx = vertx;
    this.eventBus = vertx.eventBus();
    this.writer = writer;
    this.stats = stats;
    this.settleMs = settleMs;
  }

  /**
   * Adds the session to the group. The future completes once this gateway's consumer for the
   * group is registered across the cluster and, for a new one, {@code settleMs} later, so that
   * a message published after it arrives.
   */
  public Future<Void> join(String group, Session session) {
    LocalGroup local = open(group);
    boolean first = session.addGroup(group);
    local.add(session);
    if (first) {
      listener.joined(group, session);
    }
    return local.ready();
  }

  /**
   * Lets a part of the gateway see every delivery of a group before its sockets do. It holds
   * the group's consumer like a member would.
   */
  public Future<Void> observe(String group, Consumer<Delivery> observer) {
    LocalGroup local = open(group);
    local.observe(observer);
    return local.ready();
  }

  public void unobserve(String group, Consumer<Delivery> observer) {
    LocalGroup local = groups.get(group);
    if (local != null && local.unobserve(observer)) {
      closeIfEmpty(local);
    }
  }

  private LocalGroup open(String group) {
    LocalGroup local = groups.get(group);
    if (local == null) {
      local = new LocalGroup(group);
      groups.put(group, local);
      LocalGroup target = local;
      MessageConsumer<Object> consumer = eventBus.consumer(Groups.address(group), message -> deliver(target, message.body()));
      Future<Void> registered = consumer.completion();
      local.consumer(consumer, settleMs == 0 ? registered : registered.compose(v -> vertx.timer(settleMs).<Void>mapEmpty()));
      log.debug("group={} consumer registered", group);
    }
    return local;
  }

  private void closeIfEmpty(LocalGroup local) {
    if (local.isEmpty()) {
      groups.remove(local.name());
      local.consumer().unregister().onFailure(e -> log.warn("group={} consumer unregister failed: {}", local.name(), e.getMessage()));
      log.debug("group={} consumer unregistered", local.name());
    }
  }

  /** Removes the session from the group; the last one out unregisters the consumer. */
  public boolean leave(String group, Session session) {
    session.removeGroup(group);
    LocalGroup local = groups.get(group);
    if (local == null || !local.remove(session)) {
      return false;
    }
    listener.left(group, session);
    closeIfEmpty(local);
    return true;
  }

  public void leaveAll(Session session) {
    for (String group : session.groups()) {
      leave(group, session);
    }
  }

  /** Event bus consumers this gateway holds: one per group with local sockets. */
  public int consumerCount() {
    return groups.size();
  }

  /** Local sockets in the group (0 when none). */
  public int memberCount(String group) {
    LocalGroup local = groups.get(group);
    return local == null ? 0 : local.size();
  }

  /** Names of the groups with local members or observers. */
  public java.util.List<String> groupNames() {
    return java.util.List.copyOf(groups.keySet());
  }

  public void forEachMember(String group, Consumer<Session> action) {
    LocalGroup local = groups.get(group);
    if (local != null) {
      local.forEachMember(action);
    }
  }

  /** Unregisters every consumer; used when the gateway stops. */
  public Future<Void> closeAll() {
    var futures = groups.values().stream().map(g -> g.consumer().unregister()).toList();
    groups.clear();
    return Future.join(futures).mapEmpty();
  }

  private void deliver(LocalGroup local, Object body) {
    Delivery delivery;
    try {
      delivery = Delivery.decode(body);
    } catch (IllegalArgumentException e) {
      log.warn("group={} dropped a message that is not a delivery: {}", local.name(), e.getMessage());
      return;
    }
    local.deliver(delivery, writer);
    stats.delivered(delivery.publishedAt());
  }
}
