package io.github.switchboard.gateway.stream;

import io.github.switchboard.coordination.history.StreamHistory;
import io.github.switchboard.gateway.GatewayHarness;
import io.github.switchboard.gateway.metrics.GatewayStats;
import io.github.switchboard.protocol.Delivery;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cursor of one stream group against a scripted history: whatever order and whatever
 * holes the event bus brings, the members get each offset once, in order, and only what the
 * history no longer has is skipped (and counted).
 */
class StreamCursorTest {

  private static final String GROUP = "orders";

  private Vertx vertx;
  private Context context;
  private GatewayStats stats;
  private final ScriptedHistory history = new ScriptedHistory();
  private final List<Delivery> emitted = new ArrayList<>();

  /** A stream's stored messages in one epoch, the newest {@code kept} of them readable. */
  static final class ScriptedHistory implements StreamReader {
    String epoch = "e1";
    final List<Delivery> stored = new ArrayList<>();
    int kept = Integer.MAX_VALUE;
    int reads;

    Delivery append() {
      Delivery d = message(stored.size() + 1, epoch);
      stored.add(d);
      return d;
    }

    long top() {
      return stored.size();
    }

    @Override
    public Future<Replay> since(String group, long afterOffset) {
      reads++;
      if (epoch == null) {
        return Future.succeededFuture(new Replay(List.of(), afterOffset == 0, 0, null));
      }
      long oldest = Math.max(1, top() - kept + 1);
      List<Delivery> out = stored.stream().filter(d -> d.seq() > afterOffset && d.seq() >= oldest).toList();
      return Future.succeededFuture(new Replay(out, afterOffset + 1 >= oldest && afterOffset <= top(), top(), epoch));
    }

    @Override
    public Future<Map<String, StreamHistory.Position>> positions(Collection<String> groups) {
      return Future.succeededFuture(epoch == null ? Map.of() : Map.of(GROUP, new StreamHistory.Position(top(), epoch)));
    }

    /** The stream freed and started again: a new epoch, offsets from 1. */
    void startAgain(String newEpoch) {
      epoch = newEpoch;
      stored.clear();
    }
  }

  static Delivery message(long offset, String epoch) {
    return new Delivery(Delivery.Kind.JSON, offset, null, true, System.currentTimeMillis(),
      ("{\"n\":" + offset + "}").getBytes(StandardCharsets.UTF_8), epoch);
  }

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    stats = new GatewayStats(new SimpleMeterRegistry());
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private <T> T on(Supplier<T> action) {
    Promise<T> promise = Promise.promise();
    context.runOnContext(v -> promise.complete(action.get()));
    try {
      return promise.future().await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private StreamCursor cursor(long gapWaitMs) {
    StreamCursor cursor = on(() -> new StreamCursor(GROUP, history, vertx, emitted::add, stats, gapWaitMs));
    on(() -> cursor.start()).await();
    return cursor;
  }

  private void accept(StreamCursor cursor, Delivery delivery) {
    on(() -> {
      cursor.accept(delivery);
      return null;
    });
  }

  private List<Long> offsets() {
    return on(() -> emitted.stream().map(Delivery::seq).toList());
  }

  @Test
  void itStartsAtTheStreamsTopAndDropsRepeatsAndOlderOffsets() {
    for (int i = 0; i < 7; i++) {
      history.append();
    }
    StreamCursor cursor = cursor(60_000);
    assertThat(on(cursor::last)).isEqualTo(7);
    accept(cursor, history.stored.get(4));
    Delivery eight = history.append();
    accept(cursor, eight);
    accept(cursor, eight);
    assertThat(offsets()).containsExactly(8L);
    assertThat(history.reads).isZero();
  }

  @Test
  void deliveriesOutOfOrderComeOutInOrderWithoutAReadWhenTheMissingOneArrives() {
    StreamCursor cursor = cursor(60_000);
    Delivery one = history.append();
    Delivery two = history.append();
    Delivery three = history.append();
    accept(cursor, one);
    accept(cursor, three);
    assertThat(offsets()).containsExactly(1L);
    accept(cursor, two);
    assertThat(offsets()).containsExactly(1L, 2L, 3L);
    assertThat(history.reads).isZero();
  }

  @Test
  void aGapTheEventBusNeverFillsIsReadFromTheHistory() {
    StreamCursor cursor = cursor(20);
    Delivery one = history.append();
    history.append();
    history.append();
    Delivery four = history.append();
    accept(cursor, one);
    accept(cursor, four);
    GatewayHarness.await("the gap read", () -> offsets().size() == 4);
    assertThat(offsets()).containsExactly(1L, 2L, 3L, 4L);
    assertThat(stats.toJson().getLong("streamLost")).isZero();
    // The missing ones arriving late are repeats now.
    accept(cursor, history.stored.get(1));
    assertThat(offsets()).hasSize(4);
  }

  @Test
  void thePositionCheckFindsTheLastMessageBeforeAQuietSpell() {
    StreamCursor cursor = cursor(20);
    accept(cursor, history.append());
    history.append();
    history.append();
    // Nothing more comes on the event bus: only the check can see offsets 2 and 3.
    on(() -> {
      cursor.check(new StreamHistory.Position(history.top(), history.epoch));
      return null;
    });
    GatewayHarness.await("the check's read", () -> offsets().size() == 3);
    assertThat(offsets()).containsExactly(1L, 2L, 3L);
  }

  @Test
  void aCheckThatSeesAMessageStillOnItsWayReadsNothingIfItArrivesInTime() {
    StreamCursor cursor = cursor(60_000);
    Delivery one = history.append();
    on(() -> {
      cursor.check(new StreamHistory.Position(1, history.epoch));
      return null;
    });
    accept(cursor, one);
    assertThat(offsets()).containsExactly(1L);
    assertThat(history.reads).isZero();
  }

  @Test
  void aNewEpochStartsTheGroupOverAndALateMessageOfTheOldOneIsDropped() {
    StreamCursor cursor = cursor(20);
    accept(cursor, history.append());
    Delivery oldTwo = history.append();
    history.startAgain("e2");
    Delivery newOne = history.append();
    Delivery newTwo = history.append();
    accept(cursor, newTwo);
    GatewayHarness.await("the new epoch read", () -> offsets().size() == 3);
    assertThat(on(() -> emitted.stream().map(d -> d.epoch() + ":" + d.seq()).toList()))
      .containsExactly("e1:1", "e2:1", "e2:2");
    assertThat(on(cursor::epoch)).isEqualTo("e2");
    accept(cursor, oldTwo);
    accept(cursor, newOne);
    GatewayHarness.await("the stray read answered", () -> on(() -> history.reads) >= 3);
    assertThat(offsets()).hasSize(3);
  }

  @Test
  void aStreamCreatedAfterTheStartIsFollowedFromItsFirstOffset() {
    history.epoch = null;
    StreamCursor cursor = cursor(20);
    assertThat(on(cursor::epoch)).isNull();
    history.epoch = "e9";
    history.append();
    Delivery two = history.append();
    accept(cursor, two);
    GatewayHarness.await("offset 1 read", () -> offsets().size() == 2);
    assertThat(offsets()).containsExactly(1L, 2L);
  }

  @Test
  void offsetsGoneFromTheHistoryAreSkippedCountedAndTheRestDelivered() {
    history.kept = 3;
    StreamCursor cursor = cursor(20);
    accept(cursor, history.append());
    for (int i = 0; i < 6; i++) {
      history.append();
    }
    accept(cursor, history.stored.get(6));
    GatewayHarness.await("what is left read", () -> offsets().size() == 4);
    assertThat(offsets()).containsExactly(1L, 5L, 6L, 7L);
    assertThat(stats.toJson().getLong("streamLost")).isEqualTo(3);
  }

  @Test
  void aClosedCursorDeliversNothing() {
    StreamCursor cursor = cursor(20);
    on(() -> {
      cursor.close();
      return null;
    });
    accept(cursor, history.append());
    assertThat(offsets()).isEmpty();
  }
}
