package io.github.switchboard.chat;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.function.LongFunction;

/**
 * The last N messages of each room and the room's sequence. Only the active chat instance
 * appends (see {@link ChatVerticle}); any instance may read.
 */
public interface RoomHistory {

  /**
   * Gives the room's next seq (1 for the first message, then +1) to {@code build}, stores the
   * message it returns, and completes with it.
   */
  Future<JsonObject> append(String room, LongFunction<JsonObject> build);

  /**
   * Messages with seq greater than {@code afterSeq}, oldest first. {@code complete} is false
   * when some of them are no longer stored (or {@code afterSeq} is beyond what the room has).
   */
  Future<Page> since(String room, long afterSeq);

  /** Stored messages of the room, oldest first. */
  default Future<List<JsonObject>> recent(String room) {
    return since(room, 0).map(Page::messages);
  }

  record Page(List<JsonObject> messages, boolean complete) {
  }
}
