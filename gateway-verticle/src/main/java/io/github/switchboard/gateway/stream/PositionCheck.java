package io.github.switchboard.gateway.stream;

import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Every {@code positionCheckMs}, reads where each stream group this gateway serves stands and
 * hands it to the group's {@link StreamCursor}, which reads what it has not delivered. This is
 * what finds a message that never reached this gateway and had no successor to reveal the gap
 * (the last one before a quiet spell). One read per keeper of streams (the store, the chat
 * service) for up to {@link #BATCH} groups, not one per group.
 */
public final class PositionCheck {

  private static final Logger log = LoggerFactory.getLogger(PositionCheck.class);
  /** Groups asked in one read. */
  static final int BATCH = 1_000;

  private final Vertx vertx;
  private final Supplier<Collection<StreamCursor>> cursors;
  private final long everyMs;
  private long timer = -1;
  private boolean running;

  public PositionCheck(Vertx vertx, Supplier<Collection<StreamCursor>> cursors, long everyMs) {
    this.vertx = vertx;
    this.cursors = cursors;
    this.everyMs = everyMs;
  }

  public void start() {
    timer = vertx.setPeriodic(everyMs, id -> round());
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  /** One check of every stream group; a round still waiting for answers is not overtaken. */
  void round() {
    if (running) {
      return;
    }
    Map<StreamReader, List<StreamCursor>> byReader = new IdentityHashMap<>();
    for (StreamCursor cursor : cursors.get()) {
      byReader.computeIfAbsent(cursor.reader(), r -> new ArrayList<>()).add(cursor);
    }
    if (byReader.isEmpty()) {
      return;
    }
    running = true;
    List<io.vertx.core.Future<Void>> reads = new ArrayList<>();
    byReader.forEach((reader, list) -> {
      for (int from = 0; from < list.size(); from += BATCH) {
        List<StreamCursor> batch = list.subList(from, Math.min(list.size(), from + BATCH));
        List<String> groups = batch.stream().map(StreamCursor::group).toList();
        reads.add(reader.positions(groups)
          .onSuccess(positions -> batch.forEach(cursor -> cursor.check(positions.get(cursor.group()))))
          .onFailure(e -> log.warn("position check of {} stream groups failed (next in {} ms): {}", groups.size(), everyMs,
            e.getMessage()))
          .<Void>mapEmpty());
      }
    });
    io.vertx.core.Future.join(reads).onComplete(ar -> running = false);
  }
}
