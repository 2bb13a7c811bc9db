package io.github.switchboard.coordination.history;

import com.hazelcast.core.DistributedObject;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.github.switchboard.coordination.EmbeddedHazelcast;
import io.vertx.core.Vertx;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Collection;

import static org.assertj.core.api.Assertions.assertThat;

/** The contract on a real (single-member) Hazelcast cluster, plus what only the cluster gives. */
class HazelcastStreamHistoryTest extends StreamHistoryContract {

  private static HazelcastInstance hazelcast;

  @BeforeAll
  static void startMember() {
    hazelcast = EmbeddedHazelcast.start();
  }

  @AfterAll
  static void stopMember() {
    if (hazelcast != null) {
      hazelcast.shutdown();
    }
  }

  /** A map per test: the bound counts every stream of the map. */
  private final String map = "test.history." + java.util.UUID.randomUUID();

  @Override
  StreamHistory newHistory(Vertx vertx, int maxStreams) {
    return new HazelcastStreamHistory(vertx, hazelcast, map, maxStreams);
  }

  @Test
  void anotherInstanceContinuesTheStreamFromTheCluster() throws Exception {
    String s = stream("takeover");
    appendTimes(s, 3);

    // What a standby chat instance does when it takes over: a store of its own on the cluster.
    StreamHistory standby = onContext(() -> newHistory(vertx, MAX_STREAMS));
    assertThat(offsetsOf(call(() -> standby.since(s, 0)))).containsExactly(1L, 2L, 3L);
    assertThat(append(standby, s, POLICY).offset()).isEqualTo(4);
    assertThat(offsets(since(s, 0))).containsExactly(1L, 2L, 3L, 4L);
  }

  @Test
  void anAppendThatWasNeverCommittedIsNotReadBackUntilItIs() throws Exception {
    String s = stream("watermark");
    appendTimes(s, 2);
    IMap<String, StreamLog> raw = hazelcast.getMap(map);
    long now = System.currentTimeMillis();
    // What an append whose backup never answered leaves on the primary: stored, not committed.
    AppendToStream.Result stored = raw.executeOnKey(s,
      new AppendToStream("\"cut off\"", now, POLICY, true, "unused", now, "p-1"));
    assertThat(stored.offset()).isEqualTo(3);

    StreamHistory.Page page = since(s, 0);
    assertThat(offsets(page)).containsExactly(1L, 2L);
    assertThat(page.top()).isEqualTo(2);
    assertThat(call(() -> history.positions(List.of(s))).get(s).top()).isEqualTo(2);

    raw.executeOnKey(s, new CommitToStream(stored.epoch(), 3, now));
    assertThat(offsets(since(s, 0))).containsExactly(1L, 2L, 3L);
    assertThat(call(() -> history.positions(List.of(s))).get(s).top()).isEqualTo(3);
  }

  @Test
  void pastTheSettleTimeAnUncommittedMessageIsReadAllTheSame() {
    StreamLog log = new StreamLog(10, "e");
    long now = 1_800_000_000_000L;
    log.append("old", now - StreamLog.SETTLE_MS - 1, 10);
    log.append("new", now - 1_000, 10);
    assertThat(log.visibleTop(now)).as("the commit of offset 1 was lost; offset 2 is still fresh").isEqualTo(1);
    log.commit(2, 1);
    assertThat(log.visibleTop(now)).isEqualTo(2);
    log.commit(1, 1);
    assertThat(log.committed()).as("never down").isEqualTo(2);
    log.commit(9, 1);
    assertThat(log.committed()).as("never past the top").isEqualTo(2);
  }

  @Test
  void whenASplitHealsAStreamKeepsTheCopyWithTheHigherWatermark() {
    StreamLog acknowledgedMore = new StreamLog(10, "e");
    StreamLog appendedMore = new StreamLog(10, "e");
    for (int i = 0; i < 4; i++) {
      acknowledgedMore.append("m" + i, 1, 10);
      appendedMore.append("m" + i, 1, 10);
    }
    acknowledgedMore.commit(4, 1);
    // The side cut off from its backup stored one more, acknowledged none of it.
    appendedMore.commit(3, 1);
    appendedMore.append("never acknowledged", 1, 10);
    assertThat(StreamLog.further(acknowledgedMore, appendedMore)).isTrue();
    assertThat(StreamLog.further(appendedMore, acknowledgedMore)).isFalse();
    // Another epoch: the one committed last. A copy a cut-off member created on its own (never
    // committed, however recently used) loses to the one the clients were told about.
    StreamLog createdAlone = new StreamLog(10, "f");
    createdAlone.append("never acknowledged", 2, 10);
    createdAlone.expiresAt(Long.MAX_VALUE);
    assertThat(StreamLog.further(createdAlone, acknowledgedMore)).isFalse();
    assertThat(StreamLog.further(acknowledgedMore, createdAlone)).isTrue();
    StreamLog startedAgain = new StreamLog(10, "g");
    startedAgain.append("after the old one was freed", 3, 10);
    startedAgain.commit(1, 5);
    assertThat(StreamLog.further(startedAgain, acknowledgedMore)).as("committed later").isTrue();
  }

  @Test
  void theBackupPutsEachMessageAtTheOffsetTheOwnerGaveIt() {
    java.util.AbstractMap.SimpleEntry<String, StreamLog> backup = new java.util.AbstractMap.SimpleEntry<>("s", null);
    java.util.AbstractMap.SimpleEntry<String, StreamLog> primary = new java.util.AbstractMap.SimpleEntry<>("s", null);
    for (int i = 1; i <= 3; i++) {
      AppendToStream append = new AppendToStream("m" + i, i, new HistoryPolicy(10, 60_000), true, "e", 0, "id-" + i);
      assertThat(append.process(primary).offset()).isEqualTo(i);
      if (i != 2) {
        // The backup of message 2 was lost (its answer timed out).
        append.getBackupProcessor().process(backup);
      }
    }
    // Message 3 is not put at offset 2 of the backup: the copy starts again at offset 3.
    assertThat(offsets(backup.getValue().page(0, Long.MAX_VALUE))).containsExactly(3L);
    assertThat(backup.getValue().top()).isEqualTo(3);

    // A repeat of message 3 (its first answer lost): the owner answers its offset, the backup keeps it once.
    AppendToStream repeat = new AppendToStream("m3", 3, new HistoryPolicy(10, 60_000), true, "e", 0, "id-3");
    assertThat(repeat.process(primary).offset()).isEqualTo(3);
    repeat.getBackupProcessor().process(backup);
    assertThat(backup.getValue().top()).isEqualTo(3);
    assertThat(primary.getValue().top()).isEqualTo(3);

    // A backup holding another message at that offset (its copy went another way) does not keep
    // it and acknowledge the owner's: its copy starts again at the owner's message.
    AppendToStream fourth = new AppendToStream("m4", 4, new HistoryPolicy(10, 60_000), true, "e", 0, "id-4");
    backup.getValue().append("another message", 4, 10, "id-x");
    assertThat(fourth.process(primary).offset()).isEqualTo(4);
    fourth.getBackupProcessor().process(backup);
    assertThat(backup.getValue().holds(4, "m4", "id-4")).isTrue();
    assertThat(backup.getValue().top()).isEqualTo(4);
  }

  @Test
  void manyStreamsLiveInOneMap() throws Exception {
    int before = names(hazelcast.getDistributedObjects());
    for (int i = 0; i < 300; i++) {
      append(stream("many-" + i));
    }
    assertThat(hazelcast.getMap(map).size()).isGreaterThanOrEqualTo(300);
    assertThat(names(hazelcast.getDistributedObjects())).as("no structure per stream").isLessThanOrEqualTo(before + 1);
  }

  @Test
  void aBurstOfExpiredStreamsIsSweptWithinSecondsNotMinutes() throws Exception {
    // Hazelcast's own expiry would clean a tenth of the expired entries per partition every 5 s;
    // the sweep removes them all at its next run.
    HistoryPolicy shortLived = new HistoryPolicy(CAPACITY, 1_000);
    for (int i = 0; i < MAX_STREAMS - 100; i++) {
      String s = stream("burst-" + i);
      call(() -> history.append(s, payload(s, 1), 1L, shortLived));
    }
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    while (!hazelcast.getMap(map).isEmpty()) {
      assertThat(System.nanoTime()).as("every stream removed").isLessThan(deadline);
      vertx.timer(100).await(5, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  private static int names(Collection<DistributedObject> objects) {
    return objects.size();
  }

  private static java.util.List<Long> offsetsOf(StreamHistory.Page page) {
    return offsets(page);
  }
}
