package io.github.switchboard.simulator;

import io.github.switchboard.coordination.fence.FencedOutException;
import io.vertx.core.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What every {@link EventStore} must do; each implementation's test extends this. */
abstract class EventStoreContract {

  EventStore store;

  /** A store with nothing in it. */
  abstract EventStore newEmptyStore();

  @BeforeEach
  void createStore() {
    store = newEmptyStore();
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.await(15, TimeUnit.SECONDS);
  }

  static ScoreEvent event(int i, long version) {
    return new ScoreEvent(ScoreSimulator.eventId(i), "Team " + i + " vs Team " + (i + 10), i, 2 * i, version,
      1_700_000_000_000L + version);
  }

  /** The simulator's ids and the few others these tests use. */
  private static final java.util.Set<String> IDS = new java.util.HashSet<>(ScoreSimulator.eventIds());

  static {
    IDS.addAll(List.of("a", "b", "c"));
  }

  List<ScoreEvent> load() throws Exception {
    return await(store.load(IDS));
  }

  void save(ScoreEvent event) throws Exception {
    await(store.save(event, 1));
  }

  @Test
  void emptyBeforeTheFirstSave() throws Exception {
    assertThat(load()).isEmpty();
  }

  @Test
  void loadsWhatWasSaved() throws Exception {
    ScoreEvent event = event(0, 1);
    save(event);

    assertThat(load()).containsExactly(event);
  }

  @Test
  void loadReturnsEventsInIdOrder() throws Exception {
    for (int i : new int[] {3, 0, 4, 1, 2}) {
      save(event(i, 1));
    }

    assertThat(load()).extracting(ScoreEvent::id)
      .containsExactly("EVENT#00", "EVENT#01", "EVENT#02", "EVENT#03", "EVENT#04");
    assertThat(load()).containsExactly(event(0, 1), event(1, 1), event(2, 1), event(3, 1), event(4, 1));
  }

  @Test
  void idOrderIsTheIdsOrderNotSaveOrder() throws Exception {
    ScoreEvent b = new ScoreEvent("b", "B", 0, 0, 1, 0);
    ScoreEvent a = new ScoreEvent("a", "A", 0, 0, 1, 0);
    ScoreEvent c = new ScoreEvent("c", "C", 0, 0, 1, 0);
    save(c);
    save(a);
    save(b);

    assertThat(load()).containsExactly(a, b, c);
  }

  @Test
  void saveOverwritesTheEventWithTheSameId() throws Exception {
    ScoreEvent first = event(1, 1);
    save(event(0, 1));
    save(first);
    save(event(2, 1));

    ScoreEvent second = first.scored(true, 1_700_000_009_000L);
    ScoreEvent third = second.scored(false, 1_700_000_012_000L);
    save(second);
    save(third);

    assertThat(load()).containsExactly(event(0, 1), third, event(2, 1));
  }

  @Test
  void everyFieldSurvives() throws Exception {
    ScoreEvent event = new ScoreEvent("EVENT#03", "Wolves \"vs\" B\u00e4ren \uD83D\uDC3A", 17, 23, 5_000_000_000L,
      Long.MAX_VALUE);
    save(event);

    assertThat(load()).containsExactly(event);
  }

  @Test
  void loadedListIsASnapshot() throws Exception {
    save(event(0, 1));
    List<ScoreEvent> loaded = load();

    save(event(1, 1));
    save(event(0, 2));

    assertThat(loaded).containsExactly(event(0, 1));
    assertThat(load()).containsExactly(event(0, 2), event(1, 1));
  }

  @Test
  void aSaveWithAnOlderTokenIsRefusedAndChangesNothing() throws Exception {
    await(store.save(event(0, 1), 2));

    assertThatThrownBy(() -> await(store.save(event(0, 2), 1)))
      .isInstanceOf(FencedOutException.class).hasMessageContaining("token 1").hasMessageContaining("token 2");
    assertThat(load()).containsExactly(event(0, 1));
    await(store.save(event(0, 3), 2));
    assertThat(load()).containsExactly(event(0, 3));
  }

  @Test
  void aTakeoverFencesOutThePreviousHolderOnEveryEventAndLoadsThem() throws Exception {
    await(store.save(event(0, 4), 1));
    await(store.save(event(1, 6), 1));

    List<ScoreEvent> loaded = await(store.takeOver(2, List.of(ScoreSimulator.eventId(0), ScoreSimulator.eventId(1),
      ScoreSimulator.eventId(2))));

    assertThat(loaded).containsExactly(event(0, 4), event(1, 6));
    // The previous holder's next save, of either event, is refused: it cannot issue version 5 or 7 too.
    assertThatThrownBy(() -> await(store.save(event(0, 5), 1))).isInstanceOf(FencedOutException.class);
    assertThatThrownBy(() -> await(store.save(event(1, 7), 1))).isInstanceOf(FencedOutException.class);
    await(store.save(event(0, 5), 2));
    assertThat(load()).containsExactly(event(0, 5), event(1, 6));
  }

  @Test
  void aTakeoverWithAnOlderTokenThanTheStoreHasSeenFails() throws Exception {
    await(store.save(event(0, 1), 5));

    assertThatThrownBy(() -> await(store.takeOver(4, List.of(ScoreSimulator.eventId(0)))))
      .isInstanceOf(FencedOutException.class);
    assertThat(await(store.takeOver(5, List.of(ScoreSimulator.eventId(0))))).containsExactly(event(0, 1));
  }
}
