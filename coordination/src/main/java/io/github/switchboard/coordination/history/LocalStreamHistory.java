package io.github.switchboard.coordination.history;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.HashMap;
import java.util.Map;

/**
 * Streams in this process's heap, for the embedded mode (no cluster to hold them). Used from the
 * event loop of the verticle that created it; a timer on that loop frees the streams whose TTL
 * has passed, once a second, so memory comes back even when nobody writes.
 */
public final class LocalStreamHistory implements StreamHistory {

  static final long SWEEP_EVERY_MS = 1_000;

  private final Vertx vertx;
  private final int maxStreams;
  private final Map<String, Held> streams = new HashMap<>();
  private final long timerId;

  public LocalStreamHistory(Vertx vertx, int maxStreams) {
    this.vertx = vertx;
    this.maxStreams = maxStreams;
    this.timerId = vertx.setPeriodic(SWEEP_EVERY_MS, id -> sweep(System.nanoTime()));
  }

  private static final class Held {
    final StreamLog log;
    long expiresAt;

    Held(StreamLog log) {
      this.log = log;
    }
  }

  @Override
  public Future<Appended> append(String stream, String payload, long timestamp, HistoryPolicy policy) {
    long now = System.nanoTime();
    Held held = streams.get(stream);
    if (held != null && held.expiresAt - now <= 0) {
      // Expired but not swept yet: it is gone all the same.
      streams.remove(stream);
      held = null;
    }
    if (held == null) {
      if (streams.size() >= maxStreams) {
        sweep(now);
        if (streams.size() >= maxStreams) {
          return Future.failedFuture(new StreamLimitException(stream, maxStreams));
        }
      }
      held = new Held(new StreamLog(policy.size(), StreamLog.newEpoch()));
      streams.put(stream, held);
    }
    long offset = held.log.append(payload, timestamp, policy.size());
    held.expiresAt = now + policy.ttlMs() * 1_000_000;
    return Future.succeededFuture(new Appended(offset, held.log.epoch()));
  }

  @Override
  public Future<Page> since(String stream, long afterOffset) {
    Held held = streams.get(stream);
    if (held == null || held.expiresAt - System.nanoTime() <= 0) {
      return Future.succeededFuture(Page.empty(afterOffset));
    }
    return Future.succeededFuture(held.log.page(afterOffset));
  }

  @Override
  public Future<Integer> size() {
    return Future.succeededFuture(streams.size());
  }

  private void sweep(long now) {
    streams.values().removeIf(held -> held.expiresAt - now <= 0);
  }

  @Override
  public void close() {
    vertx.cancelTimer(timerId);
  }
}
