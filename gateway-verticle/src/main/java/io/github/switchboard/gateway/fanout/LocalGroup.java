package io.github.switchboard.gateway.fanout;

import io.github.switchboard.gateway.stream.StreamCursor;
import io.github.switchboard.gateway.transport.FrameWriter;
import io.github.switchboard.gateway.transport.Framing;
import io.github.switchboard.gateway.session.Session;
import io.github.switchboard.protocol.Delivery;
import io.vertx.core.Future;
import io.vertx.core.eventbus.MessageConsumer;
import io.netty.buffer.ByteBufAllocator;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The sockets of one group on this gateway, and the single event bus consumer that feeds them.
 */
final class LocalGroup {

  private static final Session[] EMPTY = new Session[0];

  private final String name;
  private final Set<Session> members = new HashSet<>();
  /** Members as an array, rebuilt after a change; a write may close a socket mid-walk. */
  private Session[] snapshot = EMPTY;
  private boolean dirty;
  private MessageConsumer<Object> consumer;
  /** Null for a plain group. */
  private StreamCursor cursor;
  /** Completes when the group counts as joined on this gateway (see GroupRegistry). */
  private Future<Void> ready;
  /** In-gateway listeners (the scores view) that see every delivery before the sockets do. */
  private final List<Consumer<Delivery>> observers = new ArrayList<>(0);

  LocalGroup(String name) {
    this.name = name;
  }

  String name() {
    return name;
  }

  MessageConsumer<Object> consumer() {
    return consumer;
  }

  void consumer(MessageConsumer<Object> consumer, StreamCursor cursor, Future<Void> ready) {
    this.consumer = consumer;
    this.cursor = cursor;
    this.ready = ready;
  }

  StreamCursor cursor() {
    return cursor;
  }

  Future<Void> ready() {
    return ready;
  }

  boolean add(Session session) {
    dirty |= members.add(session);
    return true;
  }

  boolean remove(Session session) {
    boolean removed = members.remove(session);
    dirty |= removed;
    return removed;
  }

  boolean isEmpty() {
    return members.isEmpty() && observers.isEmpty();
  }

  void observe(Consumer<Delivery> observer) {
    observers.add(observer);
  }

  boolean unobserve(Consumer<Delivery> observer) {
    return observers.remove(observer);
  }

  void forEachMember(Consumer<Session> action) {
    members.forEach(action);
  }

  int size() {
    return members.size();
  }

  /** Writes one delivery to every member, except its sender when the publisher asked so. */
  void deliver(Delivery delivery, FrameWriter writer) {
    if (dirty) {
      snapshot = members.toArray(EMPTY);
      dirty = false;
    }
    for (int i = 0; i < observers.size(); i++) {
      observers.get(i).accept(delivery);
    }
    PreparedDelivery prepared = new PreparedDelivery(name, delivery, ByteBufAllocator.DEFAULT, writer.deflate());
    String excluded = delivery.echo() ? null : delivery.sender();
    try {
      for (Session session : snapshot) {
        if (excluded != null && excluded.equals(session.id())) {
          continue;
        }
        if (session.recovering(name)) {
          session.hold(name, delivery);
          continue;
        }
        switch (session.framing()) {
          case WEBSOCKET -> writer.writeShared(session, prepared.frame(session.endpoint().envelope(), session.deflates()));
          case EVENT_STREAM -> writer.writeShared(session, session.eventId(name, delivery),
            prepared.streamFrame(Framing.EVENT_STREAM));
          case JSON_LINES -> writer.writeShared(session, prepared.streamFrame(Framing.JSON_LINES));
        }
      }
    } finally {
      prepared.release();
    }
  }
}
