package io.github.switchboard.gateway.stream;

import io.github.switchboard.coordination.history.StreamHistory;
import io.github.switchboard.protocol.Delivery;
import io.vertx.core.Future;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Reads the history of stream groups, as deliveries ready to write: where a gateway finds what
 * the event bus did not bring it (a gap, a quiet spell) and what a client asks for with
 * {@code since}. One implementation per keeper of streams: the gateways' own store for groups
 * whose rule has a history, the chat service for chat rooms.
 */
public interface StreamReader {

  /** The stored messages of {@code group} with an offset above {@code afterOffset}, oldest first. */
  Future<Replay> since(String group, long afterOffset);

  /** The newest offset and epoch of each group that has a stream now (absent: none). */
  Future<Map<String, StreamHistory.Position>> positions(Collection<String> groups);

  /**
   * @param deliveries the messages after the offset asked for, oldest first, each with its
   *                   offset ({@code seq}) and epoch
   * @param complete   true when none after that offset is missing
   * @param top        the stream's newest offset (0: no stream)
   * @param epoch      its epoch (null: no stream)
   */
  record Replay(List<Delivery> deliveries, boolean complete, long top, String epoch) {
  }
}
