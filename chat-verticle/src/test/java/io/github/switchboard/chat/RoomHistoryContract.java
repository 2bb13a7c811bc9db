package io.github.switchboard.chat;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every {@link RoomHistory} must do; each implementation's test extends this. The history
 * under test keeps {@link #CAPACITY} messages per room.
 */
abstract class RoomHistoryContract {

  static final int CAPACITY = 5;

  /** Rooms are named per test, so implementations whose storage outlives one test stay isolated. */
  private final String suffix = UUID.randomUUID().toString().substring(0, 8);

  RoomHistory history;

  /** A new history keeping {@code capacity} messages per room. */
  abstract RoomHistory newHistory(int capacity);

  @BeforeEach
  void createHistory() {
    history = newHistory(CAPACITY);
  }

  String room(String name) {
    return name + "-" + suffix;
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.await(15, TimeUnit.SECONDS);
  }

  /** The message the chat service builds for a seq, reduced to what these tests need. */
  static JsonObject message(String room, long seq) {
    return new JsonObject().put("type", "chat").put("message", "message " + seq).put("room", room)
      .put("sender", "alice").put("id", room + "#" + seq).put("seq", seq).put("ts", 1_700_000_000_000L + seq);
  }

  JsonObject append(String room) throws Exception {
    return await(history.append(room, seq -> message(room, seq)));
  }

  void appendTimes(String room, int n) throws Exception {
    for (int i = 0; i < n; i++) {
      append(room);
    }
  }

  RoomHistory.Page since(String room, long afterSeq) throws Exception {
    return await(history.since(room, afterSeq));
  }

  static List<Long> seqs(RoomHistory.Page page) {
    return page.messages().stream().map(m -> m.getLong("seq")).toList();
  }

  static List<Long> range(long fromInclusive, long toInclusive) {
    return LongStream.rangeClosed(fromInclusive, toInclusive).boxed().toList();
  }

  @Test
  void firstAppendGetsSeqOneAndStoresTheBuiltMessage() throws Exception {
    String room = room("lobby");
    List<Long> given = new ArrayList<>();

    JsonObject appended = await(history.append(room, seq -> {
      given.add(seq);
      return message(room, seq);
    }));

    assertThat(given).containsExactly(1L);
    assertThat(appended).isEqualTo(message(room, 1));
    RoomHistory.Page page = since(room, 0);
    assertThat(page.messages()).containsExactly(message(room, 1));
    assertThat(page.complete()).isTrue();
  }

  @Test
  void seqGoesUpByOnePerAppend() throws Exception {
    String room = room("lobby");
    List<Long> given = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      JsonObject appended = await(history.append(room, seq -> {
        given.add(seq);
        return message(room, seq);
      }));
      assertThat(appended.getLong("seq")).isEqualTo(i + 1L);
    }
    assertThat(given).containsExactly(1L, 2L, 3L, 4L);
    RoomHistory.Page page = since(room, 0);
    assertThat(page.messages()).containsExactly(message(room, 1), message(room, 2), message(room, 3), message(room, 4));
    assertThat(page.complete()).isTrue();
  }

  @Test
  void eachRoomHasItsOwnSeq() throws Exception {
    String a = room("a");
    String b = room("b");

    assertThat(append(a).getLong("seq")).isEqualTo(1);
    assertThat(append(b).getLong("seq")).isEqualTo(1);
    assertThat(append(a).getLong("seq")).isEqualTo(2);
    assertThat(append(a).getLong("seq")).isEqualTo(3);
    assertThat(append(b).getLong("seq")).isEqualTo(2);

    RoomHistory.Page pageA = since(a, 0);
    RoomHistory.Page pageB = since(b, 0);
    assertThat(pageA.messages()).containsExactly(message(a, 1), message(a, 2), message(a, 3));
    assertThat(pageB.messages()).containsExactly(message(b, 1), message(b, 2));
    assertThat(pageA.complete()).isTrue();
    assertThat(pageB.complete()).isTrue();
  }

  @Test
  void roomsOverflowIndependently() throws Exception {
    String busy = room("busy");
    String quiet = room("quiet");
    append(quiet);
    appendTimes(busy, CAPACITY + 3);
    append(quiet);

    assertThat(seqs(since(busy, 0))).isEqualTo(range(4, 8));
    RoomHistory.Page quietPage = since(quiet, 0);
    assertThat(seqs(quietPage)).containsExactly(1L, 2L);
    assertThat(quietPage.complete()).isTrue();
  }

  @Test
  void sinceReturnsOnlyNewerMessagesOldestFirst() throws Exception {
    String room = room("lobby");
    appendTimes(room, 4);

    RoomHistory.Page page = since(room, 2);

    assertThat(page.messages()).containsExactly(message(room, 3), message(room, 4));
    assertThat(page.complete()).isTrue();
    assertThat(seqs(since(room, 3))).containsExactly(4L);
  }

  @Test
  void sinceTheLastSeqIsEmptyAndComplete() throws Exception {
    String room = room("lobby");
    appendTimes(room, 3);

    RoomHistory.Page page = since(room, 3);

    assertThat(page.messages()).isEmpty();
    assertThat(page.complete()).isTrue();
  }

  @Test
  void sinceBeyondTheLastSeqIsEmptyAndIncomplete() throws Exception {
    String room = room("lobby");
    appendTimes(room, 3);

    for (long afterSeq : new long[] {4, 5, 1_000_000}) {
      RoomHistory.Page page = since(room, afterSeq);
      assertThat(page.messages()).as("since %d", afterSeq).isEmpty();
      assertThat(page.complete()).as("since %d", afterSeq).isFalse();
    }
  }

  @Test
  void fullButNotOverflowingRoomIsComplete() throws Exception {
    String room = room("lobby");
    appendTimes(room, CAPACITY);

    RoomHistory.Page page = since(room, 0);

    assertThat(seqs(page)).isEqualTo(range(1, CAPACITY));
    assertThat(page.complete()).isTrue();
  }

  @Test
  void onlyTheLastCapacityMessagesAreKept() throws Exception {
    String room = room("lobby");
    appendTimes(room, 8); // seq 1..3 fall off, 4..8 are kept

    RoomHistory.Page fromStart = since(room, 0);
    assertThat(seqs(fromStart)).isEqualTo(range(4, 8));
    assertThat(fromStart.messages()).first().isEqualTo(message(room, 4));
    assertThat(fromStart.complete()).as("seq 1..3 are missing").isFalse();

    RoomHistory.Page missingOne = since(room, 2);
    assertThat(seqs(missingOne)).isEqualTo(range(4, 8));
    assertThat(missingOne.complete()).as("seq 3 is missing").isFalse();

    RoomHistory.Page fromOldestKept = since(room, 3);
    assertThat(seqs(fromOldestKept)).isEqualTo(range(4, 8));
    assertThat(fromOldestKept.complete()).isTrue();

    RoomHistory.Page lastOnly = since(room, 7);
    assertThat(seqs(lastOnly)).containsExactly(8L);
    assertThat(lastOnly.complete()).isTrue();

    RoomHistory.Page upToDate = since(room, 8);
    assertThat(upToDate.messages()).isEmpty();
    assertThat(upToDate.complete()).isTrue();

    RoomHistory.Page beyond = since(room, 9);
    assertThat(beyond.messages()).isEmpty();
    assertThat(beyond.complete()).isFalse();

    assertThat(await(history.recent(room))).extracting(m -> m.getLong("seq")).isEqualTo(range(4, 8));
  }

  @Test
  void seqKeepsCountingAfterOverflow() throws Exception {
    String room = room("lobby");
    appendTimes(room, 2 * CAPACITY + 2);

    assertThat(append(room).getLong("seq")).isEqualTo(2L * CAPACITY + 3);
    assertThat(seqs(since(room, 0))).isEqualTo(range(CAPACITY + 4, 2L * CAPACITY + 3));
  }

  @Test
  void unknownRoomHasNoMessages() throws Exception {
    String room = room("nobody-here");

    RoomHistory.Page fromStart = since(room, 0);
    assertThat(fromStart.messages()).isEmpty();
    assertThat(fromStart.complete()).as("nothing was ever missed").isTrue();

    RoomHistory.Page beyond = since(room, 1);
    assertThat(beyond.messages()).isEmpty();
    assertThat(beyond.complete()).as("the room never had seq 1").isFalse();

    assertThat(await(history.recent(room))).isEmpty();
  }

  @Test
  void readingAnUnknownRoomDoesNotDisturbItsSeq() throws Exception {
    String room = room("later");
    since(room, 0);
    since(room, 7);

    assertThat(append(room).getLong("seq")).isEqualTo(1L);
    assertThat(seqs(since(room, 0))).containsExactly(1L);
  }

  @Test
  void recentReturnsStoredMessagesOldestFirst() throws Exception {
    String room = room("lobby");
    appendTimes(room, 3);

    assertThat(await(history.recent(room))).containsExactly(message(room, 1), message(room, 2), message(room, 3));
  }

  @Test
  void messagesRoundTripAsJson() throws Exception {
    String room = room("json");
    String text = "line \"one\"\n\ttab \\ back slash, h\u00e9llo \uD83D\uDC4B \u4e16\u754c </script>";
    long ts = 1_723_456_789_012L;

    JsonObject appended = await(history.append(room, seq -> new JsonObject()
      .put("type", "chat").put("message", text).put("room", room).put("sender", "b\u00f6b")
      .put("id", "7f1c0e9e-2a35-4c1f-9a53-0d1b6f0c2c11").put("seq", seq).put("ts", ts)
      .put("edited", false).putNull("replyTo").put("score", 12.5)
      .put("meta", new JsonObject().put("client", "web").put("tags", new JsonArray().add("a").add(2).add(true)))));

    JsonObject stored = since(room, 0).messages().get(0);

    assertThat(stored).isEqualTo(appended);
    assertThat(stored.encode()).isEqualTo(appended.encode());
    assertThat(stored.getString("message")).isEqualTo(text);
    assertThat(stored.getString("sender")).isEqualTo("b\u00f6b");
    assertThat(stored.getLong("seq")).isEqualTo(1L);
    assertThat(stored.getLong("ts")).isEqualTo(ts);
    assertThat(stored.getBoolean("edited")).isFalse();
    assertThat(stored.containsKey("replyTo")).isTrue();
    assertThat(stored.getValue("replyTo")).isNull();
    assertThat(stored.getDouble("score")).isEqualTo(12.5);
    assertThat(stored.getJsonObject("meta").getJsonArray("tags")).isEqualTo(new JsonArray().add("a").add(2).add(true));
  }
}
