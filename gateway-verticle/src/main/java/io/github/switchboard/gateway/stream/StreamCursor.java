package io.github.switchboard.gateway.stream;

import io.github.switchboard.coordination.history.StreamHistory;
import io.github.switchboard.gateway.metrics.GatewayStats;
import io.github.switchboard.protocol.Delivery;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Where this gateway stands in one stream group: the last offset it delivered to its sockets
 * and the epoch it counts in. Every delivery of the group passes through it and comes out in
 * offset order, each offset once, with none skipped while the history still has it:
 *
 * <ul>
 *   <li>the next offset goes out at once; an older one is a repeat and is dropped;</li>
 *   <li>one ahead of a missing offset waits; if the missing one has not come off the event bus
 *   within {@code gapWaitMs} (published by another gateway and still on its way, or never sent
 *   here: this gateway's consumer was not yet known to the publisher, or the publisher died
 *   between storing and publishing), the gap is read from the history, which has every offset
 *   before it is published;</li>
 *   <li>{@link #check} compares the stream's newest offset with the last delivered one (the
 *   gateway's position check, on a timer): the last message before a quiet spell has no
 *   successor to reveal that it is missing;</li>
 *   <li>a delivery or a position in another epoch means the stream started again (it was freed,
 *   or its history was lost): the history says which epoch is current, and the cursor starts
 *   over at its offset 1 (clients see the new epoch and know their position is void).</li>
 * </ul>
 *
 * <p>The position starts at the stream's newest offset when the group opens on this gateway,
 * read after its event bus consumer is registered, so anything published after the join is
 * delivered: live if the consumer was known to the publisher by then, from the history if not.
 * No wait makes this true; the reads do.
 *
 * <p>Runs on the gateway's event loop. State per group, not per socket.
 */
public final class StreamCursor {

  private static final Logger log = LoggerFactory.getLogger(StreamCursor.class);
  /** Deliveries held ahead of a gap at most; past it the gap is read at once. */
  static final int MAX_AHEAD = 10_000;
  /** {@link #last} while no position is known (the start could not read one). */
  static final long UNKNOWN = -1;
  /** Wait before reading again after a failed read (the store or chat service unavailable). */
  static final long RETRY_MS = 1_000;

  private final String group;
  private final StreamReader reader;
  private final Vertx vertx;
  private final Consumer<Delivery> emit;
  private final GatewayStats stats;
  private final long gapWaitMs;

  private boolean started;
  private boolean closed;
  private String epoch;
  private long last;
  /** Deliveries that came before the start position was known. */
  private List<Delivery> early = new ArrayList<>(0);
  /** Deliveries ahead of a missing offset, by offset. */
  private final TreeMap<Long, Delivery> ahead = new TreeMap<>();
  /** A newest offset seen by the position check that is not delivered yet (0: none). */
  private long target;
  private long readTimer = -1;
  private boolean reading;
  private boolean readAgain;

  /**
   * @param emit writes one delivery to the group's local members, in order
   */
  public StreamCursor(String group, StreamReader reader, Vertx vertx, Consumer<Delivery> emit, GatewayStats stats,
                      long gapWaitMs) {
    this.group = group;
    this.reader = reader;
    this.vertx = vertx;
    this.emit = emit;
    this.stats = stats;
    this.gapWaitMs = gapWaitMs;
  }

  public String group() {
    return group;
  }

  public StreamReader reader() {
    return reader;
  }

  /** The last offset delivered (0: none yet in this epoch; reported as 0 while unknown). */
  public long last() {
    return Math.max(0, last);
  }

  /** The epoch {@link #last} counts in; null while the stream does not exist. */
  public String epoch() {
    return epoch;
  }

  /** Reads of the stream's position at start before the cursor goes on without one. */
  static final int START_ATTEMPTS = 3;

  /**
   * Reads where the stream stands; deliveries that came meanwhile are handled after. A read that
   * fails is tried again ({@value #START_ATTEMPTS} reads, {@code RETRY_MS} apart: a chat instance
   * that died or a cluster merging back can leave one request unanswered). If the keeper of the
   * stream still cannot say (the chat service or the store is down), the group opens all the
   * same, without a position: the first delivery or position check that comes sets it, and what
   * was published before that is not delivered (logged). Subscribing does not fail because
   * history is unavailable.
   */
  public Future<Void> start() {
    return readStart(START_ATTEMPTS);
  }

  private Future<Void> readStart(int attempts) {
    return reader.positions(List.of(group)).transform(ar -> {
      if (closed) {
        return Future.succeededFuture();
      }
      if (ar.failed() && attempts > 1) {
        log.info("group={} position unreadable ({}), reading it again in {} ms", group, ar.cause().getMessage(), RETRY_MS);
        return vertx.timer(RETRY_MS).compose(v -> readStart(attempts - 1));
      }
      if (ar.succeeded()) {
        StreamHistory.Position position = ar.result().get(group);
        epoch = position == null ? null : position.epoch();
        last = position == null ? 0 : position.top();
      } else {
        log.warn("group={} position unreadable, following from the next delivery: {}", group, ar.cause().getMessage());
        last = UNKNOWN;
      }
      started = true;
      List<Delivery> waiting = early;
      early = null;
      waiting.forEach(this::accept);
      return Future.succeededFuture();
    });
  }

  /** One delivery of the group from the event bus. */
  public void accept(Delivery delivery) {
    if (closed) {
      return;
    }
    if (!started) {
      if (early.size() < MAX_AHEAD) {
        early.add(delivery);
      }
      return;
    }
    if (!delivery.hasSeq()) {
      // Published around the sequencing (a service straight to the event bus): nothing to order.
      emit.accept(delivery);
      return;
    }
    if (last == UNKNOWN) {
      epoch = delivery.epoch();
      last = delivery.seq() - 1;
    }
    if (epoch == null && last == 0 && delivery.epoch() != null) {
      // The stream did not exist when this gateway started following it: this is its epoch.
      epoch = delivery.epoch();
    }
    if (delivery.epoch() != null && !delivery.epoch().equals(epoch)) {
      // A new numbering, or a late message of a retired one: the history says which.
      readNow();
      return;
    }
    long seq = delivery.seq();
    if (seq <= last) {
      return;
    }
    if (seq == last + 1) {
      deliver(delivery);
      drainAhead();
      return;
    }
    ahead.put(seq, delivery);
    if (ahead.size() >= MAX_AHEAD) {
      readNow();
    } else {
      scheduleRead();
    }
  }

  /**
   * The position check's reading of the stream (null: the stream does not exist). A newest
   * offset above the last delivered one is read after {@code gapWaitMs} unless it arrives by
   * then; another epoch is read at once.
   */
  public void check(StreamHistory.Position position) {
    if (!started || closed || position == null) {
      return;
    }
    if (last == UNKNOWN) {
      epoch = position.epoch();
      last = position.top();
      return;
    }
    if (!position.epoch().equals(epoch)) {
      readNow();
    } else if (position.top() > last) {
      target = Math.max(target, position.top());
      scheduleRead();
    }
  }

  /** Stops timers; later deliveries and reads are ignored. */
  public void close() {
    closed = true;
    if (readTimer >= 0) {
      vertx.cancelTimer(readTimer);
      readTimer = -1;
    }
    ahead.clear();
  }

  private void deliver(Delivery delivery) {
    last = delivery.seq();
    emit.accept(delivery);
  }

  private void drainAhead() {
    while (!ahead.isEmpty() && ahead.firstKey() <= last + 1) {
      Delivery next = ahead.pollFirstEntry().getValue();
      if (next.seq() == last + 1) {
        deliver(next);
      }
    }
    if (ahead.isEmpty() && last >= target && readTimer >= 0) {
      vertx.cancelTimer(readTimer);
      readTimer = -1;
    }
  }

  private boolean behind() {
    return !ahead.isEmpty() || last < target;
  }

  private void scheduleRead() {
    if (readTimer >= 0 || reading) {
      return;
    }
    if (gapWaitMs == 0) {
      readNow();
      return;
    }
    readTimer = vertx.setTimer(gapWaitMs, id -> {
      readTimer = -1;
      if (behind()) {
        readNow();
      }
    });
  }

  private void readNow() {
    if (closed) {
      return;
    }
    if (readTimer >= 0) {
      vertx.cancelTimer(readTimer);
      readTimer = -1;
    }
    if (reading) {
      readAgain = true;
      return;
    }
    reading = true;
    long from = last;
    stats.streamRead();
    reader.since(group, from).onComplete(ar -> {
      reading = false;
      if (closed) {
        return;
      }
      if (ar.failed()) {
        log.warn("group={} history unreadable at offset {} (epoch {}), trying again in {} ms: {}", group, from, epoch,
          RETRY_MS, ar.cause().getMessage());
        readAgain = false;
        readTimer = vertx.setTimer(RETRY_MS, id -> {
          readTimer = -1;
          readNow();
        });
        return;
      }
      filled(ar.result(), from);
      if (readAgain) {
        readAgain = false;
        readNow();
      } else if (behind()) {
        scheduleRead();
      }
    });
  }

  private void filled(StreamReader.Replay replay, long from) {
    if (replay.epoch() == null) {
      // No stream (freed since): nothing to deliver; what waits ahead belongs to no stream.
      ahead.clear();
      target = 0;
      return;
    }
    if (!replay.epoch().equals(epoch)) {
      if (epoch != null) {
        log.info("group={} stream started again in epoch {} (was {} at offset {})", group, replay.epoch(), epoch, last);
      }
      epoch = replay.epoch();
      last = 0;
      target = 0;
      ahead.clear();
      // Read again from the new epoch's start.
      readAgain = true;
      return;
    }
    if (from != last) {
      // Live deliveries went out while the read was under way: its page starts too early, which
      // the offsets below sort out.
      log.debug("group={} moved from {} to {} during a read", group, from, last);
    }
    for (Delivery delivery : replay.deliveries()) {
      if (delivery.seq() <= last) {
        continue;
      }
      if (delivery.seq() > last + 1) {
        long lost = delivery.seq() - last - 1;
        stats.streamLost(lost);
        log.warn("group={} epoch={} offsets {}..{} are no longer in the history: not delivered", group, epoch, last + 1,
          delivery.seq() - 1);
      }
      deliver(delivery);
    }
    if (replay.top() > last && replay.deliveries().isEmpty() && !replay.complete()) {
      // Everything after `last` is gone (a history shorter than the gap).
      stats.streamLost(replay.top() - last);
      log.warn("group={} epoch={} offsets {}..{} are no longer in the history: not delivered", group, epoch, last + 1,
        replay.top());
      last = replay.top();
    }
    ahead.headMap(last, true).clear();
    if (target <= last) {
      target = 0;
    }
    drainAhead();
  }
}
