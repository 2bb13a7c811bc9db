package io.github.switchboard.gateway.fanout;

import io.github.switchboard.coordination.history.StreamHistory;
import io.github.switchboard.gateway.metrics.GatewayStats;
import io.github.switchboard.gateway.stream.StreamCursor;
import io.github.switchboard.gateway.stream.StreamReader;
import io.github.switchboard.gateway.stream.Streams;
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

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Which local sockets are in which group. A gateway holds exactly one event bus consumer on
 * {@code group.G} while at least one of its sockets is in G: registered when the first joins,
 * unregistered when the last leaves. A delivery is decoded once and written to every member.
 *
 * <p>A stream group's deliveries pass through its {@link StreamCursor} first, which puts them
 * in offset order and reads from the history what the event bus did not bring. Its join
 * completes once the consumer is registered and the stream's position is read: anything
 * published after that reaches the socket. A plain group's join completes once the consumer is
 * registered; a message published elsewhere before the other nodes know of the new consumer is
 * not delivered (plain groups are at most once, docs/protocol.md).
 *
 * <p>Runs on the gateway verticle's event loop only.
 */
public final class GroupRegistry {

  private static final Logger log = LoggerFactory.getLogger(GroupRegistry.class);

  private final Vertx vertx;
  private final EventBus eventBus;
  private final FrameWriter writer;
  private final GatewayStats stats;
  private final Streams streams;
  private final long gapWaitMs;
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
   * @param streams   which groups are streams, and who reads their history
   * @param gapWaitMs how long a stream delivery ahead of a missing one waits before the gap is
   *                  read from the history ({@link StreamCursor})
   */
  public GroupRegistry(Vertx vertx, FrameWriter writer, GatewayStats stats, Streams streams, long gapWaitMs) {
    this.vertx = vertx;
    this.eventBus = vertx.eventBus();
    this.writer = writer;
    this.stats = stats;
    this.streams = streams;
    this.gapWaitMs = gapWaitMs;
  }

  /**
   * Adds the session to the group. The future completes once this gateway's consumer for the
   * group is registered across the cluster and, for a stream group, its position is known.
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
      StreamReader reader = streams.reader(group);
      StreamCursor cursor = reader == null ? null
        : new StreamCursor(group, reader, vertx, delivery -> fanOut(target, delivery), stats, gapWaitMs);
      MessageConsumer<Object> consumer = eventBus.consumer(Groups.address(group), message -> deliver(target, message.body()));
      Future<Void> registered = consumer.completion();
      local.consumer(consumer, cursor, cursor == null ? registered : registered.compose(v -> cursor.start()));
      log.debug("group={} consumer registered", group);
    }
    return local;
  }

  private void closeIfEmpty(LocalGroup local) {
    if (local.isEmpty()) {
      groups.remove(local.name());
      if (local.cursor() != null) {
        local.cursor().close();
      }
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
  public List<String> groupNames() {
    return List.copyOf(groups.keySet());
  }

  public void forEachMember(String group, Consumer<Session> action) {
    LocalGroup local = groups.get(group);
    if (local != null) {
      local.forEachMember(action);
    }
  }

  /**
   * Where this gateway stands in a stream group it serves: the last offset delivered to its
   * sockets and its epoch (epoch null: no stream yet); null for a plain group or one not open.
   */
  public StreamHistory.Position position(String group) {
    LocalGroup local = groups.get(group);
    StreamCursor cursor = local == null ? null : local.cursor();
    return cursor == null ? null : new StreamHistory.Position(cursor.last(), cursor.epoch());
  }

  /** The cursors of the stream groups open here (the position check walks them). */
  public List<StreamCursor> cursors() {
    List<StreamCursor> out = new ArrayList<>();
    for (LocalGroup local : groups.values()) {
      if (local.cursor() != null) {
        out.add(local.cursor());
      }
    }
    return out;
  }

  /** Unregisters every consumer; used when the gateway stops. */
  public Future<Void> closeAll() {
    groups.values().forEach(g -> {
      if (g.cursor() != null) {
        g.cursor().close();
      }
    });
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
    if (local.cursor() != null) {
      local.cursor().accept(delivery);
    } else {
      fanOut(local, delivery);
    }
  }

  private void fanOut(LocalGroup local, Delivery delivery) {
    local.deliver(delivery, writer);
    stats.delivered(delivery.publishedAt());
  }
}
