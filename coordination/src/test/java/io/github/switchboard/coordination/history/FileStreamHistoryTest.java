package io.github.switchboard.coordination.history;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The embedded store with its history file: everything the contract asks of a store, and what
 * the file adds (docs/operations.md, "History on disk"): a store opened again on the file has
 * every stream with its epoch, offsets, payloads and publish ids; a record cut off at the end is
 * dropped and the file goes on; the file is rewritten with what is kept; streams past their TTL
 * are not read back; one file has one writer.
 */
class FileStreamHistoryTest extends StreamHistoryContract {

  private static final String NAME = "switchboard.test.history";

  @TempDir
  Path dir;

  /** Stores made so far: the first is the one under test; others (the contract's) get files of their own. */
  private int made;

  @Override
  StreamHistory newHistory(Vertx vertx, int maxStreams) {
    return open(vertx, maxStreams, made++ == 0 ? NAME : NAME + "-" + made);
  }

  private LocalStreamHistory open(Vertx vertx, int maxStreams) {
    return open(vertx, maxStreams, NAME);
  }

  private LocalStreamHistory open(Vertx vertx, int maxStreams, String name) {
    try {
      return LocalStreamHistory.withFile(vertx, maxStreams, name, new HistoryFileOptions(dir, false), false);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Path file() {
    return dir.resolve(NAME + ".history");
  }

  @AfterEach
  void closeFile() throws Exception {
    call(() -> history.close());
  }

  /** Closes the store under test and opens a new one on its file, as a restarted process does. */
  private void restart() throws Exception {
    call(() -> history.close());
    history = onContext(() -> open(vertx, MAX_STREAMS));
  }

  @Test
  void aStoreOpenedAgainOnTheFileHasEveryStreamWithItsEpochOffsetsAndPayloads() throws Exception {
    String room = stream("room");
    String other = stream("other");
    appendTimes(room, 8);
    appendTimes(other, 3);
    StreamHistory.Page before = call(() -> history.since(room, 0));
    String otherEpoch = call(() -> history.since(other, 0)).epoch();
    HistoryPolicy withIds = POLICY;
    StreamHistory.Appended withId = call(() -> history.append(room, "{\"text\":\"with id\"}", 1L, withIds, "pub-1"));

    restart();

    StreamHistory.Page after = call(() -> history.since(room, 0));
    assertThat(after.epoch()).isEqualTo(before.epoch());
    assertThat(after.top()).isEqualTo(9);
    assertThat(after.complete()).as("8 and 1 with a capacity of 5: the first 4 fell off").isFalse();
    assertThat(after.entries()).extracting(StreamHistory.Entry::offset).containsExactly(5L, 6L, 7L, 8L, 9L);
    assertThat(after.entries().subList(0, 4)).isEqualTo(before.entries().subList(1, 5));
    assertThat(call(() -> history.positions(List.of(room, other)))).isEqualTo(Map.of(
      room, new StreamHistory.Position(9, before.epoch()), other, new StreamHistory.Position(3, otherEpoch)));
    assertThat(call(() -> history.append(room, "{\"text\":\"with id\"}", 2L, withIds, "pub-1")))
      .as("a repeat of a publish id kept in the file").isEqualTo(withId);
    assertThat(append(room)).as("the numbering goes on").isEqualTo(10);

    restart();
    assertThat(call(() -> history.since(room, 9)).entries()).extracting(StreamHistory.Entry::offset).containsExactly(10L);
  }

  @Test
  void aRecordCutOffAtTheEndIsDroppedAndTheFileGoesOn() throws Exception {
    String room = stream("torn");
    appendTimes(room, 4);
    call(() -> history.close());
    // What a process killed in the middle of a write leaves: a length, a checksum, half a body.
    Files.write(file(), new byte[] {0, 0, 0, 100, 1, 2, 3, 4, 1, 0, 0}, StandardOpenOption.APPEND);
    long damaged = Files.size(file());

    history = onContext(() -> open(vertx, MAX_STREAMS));
    assertThat(Files.size(file())).as("the torn record is cut away").isEqualTo(damaged - 11);
    assertThat(call(() -> history.since(room, 0)).top()).isEqualTo(4);
    assertThat(append(room)).isEqualTo(5);

    restart();
    assertThat(call(() -> history.since(room, 0)).entries()).extracting(StreamHistory.Entry::offset)
      .containsExactly(1L, 2L, 3L, 4L, 5L);
  }

  @Test
  void theFileIsRewrittenWithWhatIsKeptAndReadsBackTheSame() throws Exception {
    String room = stream("busy");
    long messages = LocalStreamHistory.REWRITE_AFTER_RECORDS * 2 + 500;
    // Queued from the event loop in one go, answered as the writer gets to them.
    call(() -> {
      io.vertx.core.Future<StreamHistory.Appended> last = null;
      for (long n = 1; n <= messages; n++) {
        last = history.append(room, payload(room, n), n, POLICY);
      }
      return last;
    });
    long oneRecord = 100;
    assertThat(Files.size(file())).as("rewritten at least once: far less than %d records", messages)
      .isLessThan((LocalStreamHistory.REWRITE_AFTER_RECORDS + 1_000) * oneRecord);

    restart();
    StreamHistory.Page page = call(() -> history.since(room, 0));
    assertThat(page.top()).isEqualTo(messages);
    assertThat(page.entries()).extracting(StreamHistory.Entry::offset)
      .containsExactlyElementsOf(LongStream.rangeClosed(messages - CAPACITY + 1, messages).boxed().toList());
    assertThat(page.entries().get(CAPACITY - 1).payload()).isEqualTo(payload(room, messages));
  }

  @Test
  void streamsPastTheirTtlAreNotReadBack() throws Exception {
    String shortLived = stream("short");
    String longLived = stream("long");
    call(() -> history.append(shortLived, "{}", 1L, new HistoryPolicy(CAPACITY, 1_000)));
    call(() -> history.append(longLived, "{}", 1L, new HistoryPolicy(CAPACITY, 600_000)));
    call(() -> history.close());
    long now = System.currentTimeMillis();

    assertThat(HistoryFile.read(file(), now).keySet()).containsExactlyInAnyOrder(shortLived, longLived);
    assertThat(HistoryFile.read(file(), now + 2_000).keySet()).containsExactly(longLived);
    history = onContext(() -> open(vertx, MAX_STREAMS));
  }

  @Test
  void aFileHasOneWriterAndASecondOpenSaysWhoHoldsIt() {
    assertThatThrownBy(() -> LocalStreamHistory.withFile(vertx, MAX_STREAMS, NAME, new HistoryFileOptions(dir, false),
      false)).isInstanceOf(IOException.class).hasMessageContaining("is in use by another process")
      .hasMessageContaining(NAME + ".lock");
  }

  @Test
  void aFileOfSomethingElseStopsTheStartWithWhatToDo() throws Exception {
    call(() -> history.close());
    Files.writeString(file(), "not a history file");
    assertThatThrownBy(() -> LocalStreamHistory.withFile(vertx, MAX_STREAMS, NAME, new HistoryFileOptions(dir, false),
      false)).isInstanceOf(IOException.class).hasMessageContaining("not a Switchboard history file");
    Files.delete(file());
    history = onContext(() -> open(vertx, MAX_STREAMS));
  }
}
