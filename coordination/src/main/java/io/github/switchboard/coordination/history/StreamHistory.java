package io.github.switchboard.coordination.history;

import io.vertx.core.Future;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The last messages of named streams (chat rooms today), each numbered by its stream: the first
 * message appended gets offset 1, the next 2, and so on.
 *
 * <p>Stream names are chosen by clients, so the store is bounded two ways: a stream nobody
 * appended to for {@link HistoryPolicy#ttlMs()} is freed, and while {@code maxStreams} streams
 * exist, an append that would create one more fails with {@link StreamLimitException} (streams
 * that exist go on). All streams live in one structure keyed by name, never one per name.
 *
 * <p>Writers may be many (the chat service for rooms, every gateway for stream groups): the
 * store, not the writer, assigns the offset.
 */
public interface StreamHistory {

  /**
   * Stores {@code payload} as the stream's next message, creating the stream if it has none and
   * the bound allows, and completes with its offset.
   */
  default Future<Appended> append(String stream, String payload, long timestamp, HistoryPolicy policy) {
    return append(stream, payload, timestamp, policy, null);
  }

  /**
   * The same, with a publish id that makes the append idempotent while the message is kept: a
   * second append with the id stores nothing and completes with the first one's offset. Null:
   * no id.
   */
  Future<Appended> append(String stream, String payload, long timestamp, HistoryPolicy policy, String publishId);

  /**
   * Where each of the named streams stands: its newest offset and epoch. A stream that does
   * not exist (never created, or freed) is absent from the map. One round trip for all of them.
   */
  Future<Map<String, Position>> positions(Collection<String> streams);

  /**
   * The stored messages with an offset greater than {@code afterOffset}, oldest first.
   * {@code complete} is false when some of them are no longer stored, or {@code afterOffset} is
   * beyond what the stream has (a stream that was freed and started again).
   */
  Future<Page> since(String stream, long afterOffset);

  /** Streams held now (for stats and tests; may count a stream that has just expired). */
  Future<Integer> size();

  /** Stops timers (and, for a store with a file, writes what is queued and closes it). */
  default Future<Void> close() {
    return Future.succeededFuture();
  }

  /** A stream's newest offset and its epoch. */
  record Position(long top, String epoch) {
  }

  /** An appended message: its offset and the epoch of the stream it went into. */
  record Appended(long offset, String epoch) {
  }

  /** A stored message and its offset. */
  record Entry(long offset, long timestamp, String payload) {
  }

  /**
   * @param entries  messages after the offset asked for, oldest first
   * @param complete true when nothing after that offset is missing
   * @param top      the newest offset (0: no such stream)
   * @param epoch    the stream's epoch (null: no such stream)
   */
  record Page(List<Entry> entries, boolean complete, long top, String epoch) {

    static Page empty(long afterOffset) {
      return new Page(List.of(), afterOffset == 0, 0, null);
    }
  }
}
