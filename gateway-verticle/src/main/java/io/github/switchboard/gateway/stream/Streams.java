package io.github.switchboard.gateway.stream;

import io.github.switchboard.coordination.history.HistoryPolicy;
import io.github.switchboard.coordination.history.StreamHistory;
import io.github.switchboard.protocol.Delivery;
import io.github.switchboard.protocol.Groups;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The gateway's view of streams: which groups are streams, who reads each kind, and the
 * sequencing of a publish to a stream group.
 *
 * <p>Sequencing: the publishing gateway appends the message to the group's stream in the store
 * (clustered: an entry processor on the Hazelcast member that owns the group's partition, so
 * the groups are sequenced all over the data members and a failover moves only the partitions
 * of the member that left), then publishes it on the event bus with the offset and epoch the
 * store gave it. It is stored before any socket can see it, so a gateway that misses it on the
 * event bus finds it in the store. Publishes of one group from several gateways may reach a
 * gateway out of order; {@link StreamCursor} puts them back in order.
 *
 * <p>Each publish carries an id of this gateway and a counter, so an append that Hazelcast
 * sends twice (its member died before answering) is stored once.
 */
public final class Streams {

  private final StreamGroups groups;
  private final StoredStreams stored;
  private final ChatRoomStreams chat;
  private final EventBus eventBus;
  private final String publisherId = UUID.randomUUID().toString().substring(0, 8);
  private long publishes;

  public Streams(StreamGroups groups, StoredStreams stored, ChatRoomStreams chat, EventBus eventBus) {
    this.groups = groups;
    this.stored = stored;
    this.chat = chat;
    this.eventBus = eventBus;
  }

  public StreamGroups.Kind kind(String group) {
    return groups.kind(group);
  }

  /** Who reads the group's history; null for a plain group. */
  public StreamReader reader(String group) {
    return switch (groups.kind(group)) {
      case CHAT -> chat;
      case STREAM -> stored;
      case PLAIN -> null;
    };
  }

  /**
   * Numbers, stores, then publishes {@code data} (JSON text) to a group of kind
   * {@link StreamGroups.Kind#STREAM}. Completes with the offset and epoch once stored; fails with
   * {@link io.github.switchboard.coordination.history.StreamLimitException} when the group would
   * be one stream too many.
   */
  public Future<StreamHistory.Appended> publish(String group, String data, String sender) {
    return publish(group, new Delivery(Delivery.Kind.JSON, Delivery.NO_SEQ, sender, true, System.currentTimeMillis(),
      data.getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * The same for any delivery (a hub frame: text or binary, not back to its sender): stored as
   * it is, published with its offset and epoch.
   */
  public Future<StreamHistory.Appended> publish(String group, Delivery delivery) {
    HistoryPolicy policy = groups.policy(group);
    if (policy == null) {
      return Future.failedFuture(new IllegalArgumentException("'" + group + "' is not a stream group"));
    }
    String publishId = publisherId + ":" + (++publishes);
    return stored.store().append(group, StoredStreams.storedForm(delivery), delivery.publishedAt(), policy, publishId)
      .onSuccess(appended -> eventBus.publish(Groups.address(group), new Delivery(delivery.kind(), appended.offset(),
        delivery.sender(), delivery.echo(), delivery.publishedAt(), delivery.payload(), appended.epoch()).encode()));
  }

  /** Stops the store's timers; completes once its history file (embedded mode) is closed. */
  public Future<Void> close() {
    return stored.store().close();
  }
}
