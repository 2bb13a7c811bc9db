package io.github.switchboard.coordination.history;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every {@link StreamHistory} must do; each implementation's test extends this. Stores are
 * used from one event loop, as the chat service uses them, so every call goes through
 * {@link #call}.
 */
abstract class StreamHistoryContract {

  static final int CAPACITY = 5;
  static final HistoryPolicy POLICY = new HistoryPolicy(CAPACITY, 60_000);
  static final int MAX_STREAMS = 1_000;

  /** Streams are named per test, so stores whose storage outlives one test stay isolated. */
  private final String suffix = UUID.randomUUID().toString().substring(0, 8);

  Vertx vertx;
  Context context;
  StreamHistory history;

  /** A new store on the current context. */
  abstract StreamHistory newHistory(Vertx vertx, int maxStreams);

  @BeforeEach
  void createHistory() throws Exception {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    history = onContext(() -> newHistory(vertx, MAX_STREAMS));
  }

  @AfterEach
  void closeVertx() throws Exception {
    vertx.close().await(15, TimeUnit.SECONDS);
  }

  String stream(String name) {
    return name + "-" + suffix;
  }

  <T> T onContext(Supplier<T> action) throws Exception {
    return call(() -> Future.succeededFuture(action.get()));
  }

  <T> T call(Supplier<Future<T>> action) throws Exception {
    Promise<T> promise = Promise.promise();
    context.runOnContext(v -> action.get().onComplete(promise));
    return promise.future().await(15, TimeUnit.SECONDS);
  }

  static String payload(String stream, long n) {
    return "{\"text\":\"message " + n + " of " + stream + "\"}";
  }

  StreamHistory.Appended append(StreamHistory store, String stream, HistoryPolicy policy) throws Exception {
    // The payload names the offset the test expects, so a page shows what was stored where.
    long next = call(() -> store.since(stream, 0)).top() + 1;
    return call(() -> store.append(stream, payload(stream, next), 1_700_000_000_000L + next, policy));
  }

  long append(String stream) throws Exception {
    return append(history, stream, POLICY).offset();
  }

  void appendTimes(String stream, int n) throws Exception {
    for (int i = 0; i < n; i++) {
      append(stream);
    }
  }

  StreamHistory.Page since(String stream, long afterOffset) throws Exception {
    return call(() -> history.since(stream, afterOffset));
  }

  static List<Long> offsets(StreamHistory.Page page) {
    return page.entries().stream().map(StreamHistory.Entry::offset).toList();
  }

  static List<Long> range(long fromInclusive, long toInclusive) {
    return LongStream.rangeClosed(fromInclusive, toInclusive).boxed().toList();
  }

  @Test
  void offsetsStartAtOneAndGoUpByOneWithOneEpoch() throws Exception {
    String s = stream("lobby");
    StreamHistory.Appended first = append(history, s, POLICY);
    StreamHistory.Appended second = append(history, s, POLICY);

    assertThat(first.offset()).isEqualTo(1);
    assertThat(second.offset()).isEqualTo(2);
    assertThat(second.epoch()).isNotBlank().isEqualTo(first.epoch());
    StreamHistory.Page page = since(s, 0);
    assertThat(page.entries()).extracting(StreamHistory.Entry::payload).containsExactly(payload(s, 1), payload(s, 2));
    assertThat(page.entries()).extracting(StreamHistory.Entry::timestamp)
      .containsExactly(1_700_000_000_001L, 1_700_000_000_002L);
    assertThat(page.complete()).isTrue();
    assertThat(page.top()).isEqualTo(2);
    assertThat(page.epoch()).isEqualTo(first.epoch());
  }

  @Test
  void eachStreamHasItsOwnOffsetsAndEpoch() throws Exception {
    String a = stream("a");
    String b = stream("b");
    assertThat(append(a)).isEqualTo(1);
    assertThat(append(b)).isEqualTo(1);
    assertThat(append(a)).isEqualTo(2);
    assertThat(append(b)).isEqualTo(2);
    assertThat(since(a, 0).epoch()).isNotEqualTo(since(b, 0).epoch());
  }

  @Test
  void onlyTheLastCapacityMessagesAreKeptAndSinceSaysWhatIsMissing() throws Exception {
    String s = stream("busy");
    appendTimes(s, 8); // 1..3 fall off, 4..8 are kept

    assertThat(offsets(since(s, 0))).isEqualTo(range(4, 8));
    assertThat(since(s, 0).complete()).as("1..3 are missing").isFalse();
    assertThat(since(s, 2).complete()).as("3 is missing").isFalse();
    assertThat(offsets(since(s, 3))).isEqualTo(range(4, 8));
    assertThat(since(s, 3).complete()).isTrue();
    assertThat(offsets(since(s, 7))).containsExactly(8L);
    assertThat(since(s, 8).entries()).isEmpty();
    assertThat(since(s, 8).complete()).isTrue();
    assertThat(since(s, 9).complete()).as("beyond the top").isFalse();
    assertThat(since(s, 0).entries().get(0).payload()).isEqualTo(payload(s, 4));
  }

  @Test
  void offsetsKeepCountingAfterTheRingWrapsManyTimes() throws Exception {
    String s = stream("wrap");
    appendTimes(s, 3 * CAPACITY + 2);

    assertThat(append(s)).isEqualTo(3L * CAPACITY + 3);
    StreamHistory.Page page = since(s, 0);
    assertThat(offsets(page)).isEqualTo(range(2L * CAPACITY + 4, 3L * CAPACITY + 3));
    for (StreamHistory.Entry entry : page.entries()) {
      assertThat(entry.payload()).isEqualTo(payload(s, entry.offset()));
    }
  }

  @Test
  void aSmallerCapacityKeepsTheNewestMessages() throws Exception {
    String s = stream("shrink");
    appendTimes(s, 4);
    append(history, s, new HistoryPolicy(2, 60_000));

    assertThat(offsets(since(s, 0))).containsExactly(4L, 5L);
    append(history, s, new HistoryPolicy(3, 60_000));
    assertThat(offsets(since(s, 0))).containsExactly(4L, 5L, 6L);
  }

  @Test
  void anUnknownStreamHasNothingAndReadingItCreatesNothing() throws Exception {
    String s = stream("nobody");
    StreamHistory.Page fromStart = since(s, 0);
    assertThat(fromStart.entries()).isEmpty();
    assertThat(fromStart.complete()).as("nothing was missed").isTrue();
    assertThat(fromStart.top()).isZero();
    assertThat(fromStart.epoch()).isNull();
    assertThat(since(s, 3).complete()).as("it never had offset 4").isFalse();

    assertThat(append(s)).isEqualTo(1);
  }

  @Test
  void aStreamWithoutAppendsForItsTtlIsFreedAndStartsAgainInANewEpoch() throws Exception {
    String s = stream("short-lived");
    HistoryPolicy shortLived = new HistoryPolicy(CAPACITY, 300);
    StreamHistory.Appended before = append(history, s, shortLived);
    append(history, s, shortLived);

    awaitGone(s);

    StreamHistory.Page gone = since(s, 2);
    assertThat(gone.entries()).isEmpty();
    assertThat(gone.complete()).as("offsets 1..2 belong to a stream that is gone").isFalse();
    StreamHistory.Appended again = append(history, s, shortLived);
    assertThat(again.offset()).isEqualTo(1);
    assertThat(again.epoch()).isNotEqualTo(before.epoch());
  }

  @Test
  void atTheBoundANewStreamIsRefusedAndTheOthersGoOn() throws Exception {
    StreamHistory small = onContext(() -> newHistory(vertx, 3));
    HistoryPolicy policy = POLICY;
    for (String name : List.of("one", "two", "three")) {
      appendWhenThereIsRoom(small, stream(name), policy);
    }

    assertThatThrownBy(() -> append(small, stream("four"), policy)).isInstanceOf(StreamLimitException.class)
      .hasMessageContaining("3 streams");
    assertThat(append(small, stream("two"), policy).offset()).isEqualTo(2);
    assertThat(call(() -> small.since(stream("four"), 0)).top()).isZero();
    onContext(() -> {
      small.close();
      return null;
    });
  }

  @Test
  void freedStreamsMakeRoomForNewOnes() throws Exception {
    StreamHistory small = onContext(() -> newHistory(vertx, 2));
    HistoryPolicy shortLived = new HistoryPolicy(CAPACITY, 300);
    appendWhenThereIsRoom(small, stream("old-1"), shortLived);
    appendWhenThereIsRoom(small, stream("old-2"), shortLived);

    appendWhenThereIsRoom(small, stream("new"), POLICY);
    assertThat(call(() -> small.since(stream("new"), 0)).top()).isEqualTo(1);
    onContext(() -> {
      small.close();
      return null;
    });
  }

  @Test
  void anAppendRepeatedWithItsPublishIdIsStoredOnceAndAnswersItsFirstOffset() throws Exception {
    String s = stream("idempotent");
    StreamHistory.Appended first = call(() -> history.append(s, "{\"n\":1}", 1L, POLICY, "gw-1:1"));
    call(() -> history.append(s, "{\"n\":2}", 2L, POLICY, "gw-2:1"));
    StreamHistory.Appended repeat = call(() -> history.append(s, "{\"n\":1}", 1L, POLICY, "gw-1:1"));
    assertThat(repeat).isEqualTo(first);
    StreamHistory.Page page = since(s, 0);
    assertThat(page.top()).isEqualTo(2);
    assertThat(page.entries()).extracting(StreamHistory.Entry::payload).containsExactly("{\"n\":1}", "{\"n\":2}");
    // Without an id a repeat is a new message; ids survive the ring growing and wrapping.
    call(() -> history.append(s, "{\"n\":1}", 1L, POLICY, null));
    for (int i = 3; i <= 2 * CAPACITY; i++) {
      String id = "gw-1:" + i;
      call(() -> history.append(s, "{}", 3L, POLICY, id));
    }
    long kept = since(s, 0).top();
    StreamHistory.Appended again = call(() -> history.append(s, "{}", 3L, POLICY, "gw-1:" + (2 * CAPACITY)));
    assertThat(again.offset()).isEqualTo(kept);
    assertThat(since(s, 0).top()).isEqualTo(kept);
  }

  @Test
  void positionsNameTheTopAndEpochOfEveryExistingStreamInOneCall() throws Exception {
    String a = stream("pos-a");
    String b = stream("pos-b");
    String none = stream("pos-none");
    appendTimes(a, 3);
    appendTimes(b, 1);
    java.util.Map<String, StreamHistory.Position> positions = call(() -> history.positions(List.of(a, b, none)));
    assertThat(positions).containsOnlyKeys(a, b);
    assertThat(positions.get(a)).isEqualTo(new StreamHistory.Position(3, since(a, 0).epoch()));
    assertThat(positions.get(b).top()).isEqualTo(1);
    assertThat(call(() -> history.positions(List.of()))).isEmpty();
  }

  /**
   * Appends, trying again while the bound refuses: a store may count conservatively and refuse
   * near the bound for a moment (HazelcastStreamHistory: up to a second) before there is room.
   */
  void appendWhenThereIsRoom(StreamHistory store, String s, HistoryPolicy policy) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        append(store, s, policy);
        return;
      } catch (StreamLimitException e) {
        assertThat(System.nanoTime()).as("room for %s", s).isLessThan(deadline);
        vertx.timer(100).await(5, TimeUnit.SECONDS);
      }
    }
  }

  /** Waits until the stream reads as absent (its TTL passed). */
  void awaitGone(String s) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (since(s, 0).top() != 0) {
      assertThat(System.nanoTime()).as("%s expired", s).isLessThan(deadline);
      vertx.timer(50).await(5, TimeUnit.SECONDS);
    }
  }
}
