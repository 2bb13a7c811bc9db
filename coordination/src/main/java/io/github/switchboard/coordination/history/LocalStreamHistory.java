package io.github.switchboard.coordination.history;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * Streams in this process's heap, for the embedded mode (no cluster to hold them). A timer frees
 * the streams whose TTL has passed, once a second, so memory comes back even when nobody writes.
 *
 * <p>A store may be shared by every verticle of one Vert.x instance ({@link #shared}): two
 * embedded gateways in one JVM share its event bus, so they must share the numbering of the
 * groups they sequence too. Its methods are synchronized for that; each call is short. It lives
 * until its last user closes it.
 */
public final class LocalStreamHistory implements StreamHistory, Shareable {

  static final long SWEEP_EVERY_MS = 1_000;
  private static final String SHARED_MAP = "switchboard.streams.local";

  private final Vertx vertx;
  private final int maxStreams;
  private final Map<String, Held> streams = new HashMap<>();
  private final long timerId;
  /** Null for a store of one user; else the name it is shared under. */
  private final String sharedName;
  /** Users of a shared store that have not closed it. */
  private int users;
  private long lastSweep = System.nanoTime();

  public LocalStreamHistory(Vertx vertx, int maxStreams) {
    this(vertx, maxStreams, null);
  }

  private LocalStreamHistory(Vertx vertx, int maxStreams, String sharedName) {
    this.vertx = vertx;
    this.maxStreams = maxStreams;
    this.sharedName = sharedName;
    this.timerId = vertx.setPeriodic(SWEEP_EVERY_MS, id -> sweep(System.nanoTime()));
  }

  /**
   * The store named {@code name} of this Vert.x instance, created by the first caller (whose
   * {@code maxStreams} it keeps while it is shared). Each caller closes it once; the last
   * {@link #close} frees it, and the next caller starts a new one.
   */
  public static LocalStreamHistory shared(Vertx vertx, String name, int maxStreams) {
    LocalMap<String, LocalStreamHistory> stores = vertx.sharedData().getLocalMap(SHARED_MAP);
    synchronized (stores) {
      LocalStreamHistory store = stores.computeIfAbsent(name, key -> new LocalStreamHistory(vertx, maxStreams, name));
      store.addUser();
      return store;
    }
  }

  private synchronized void addUser() {
    users++;
  }

  private static final class Held {
    final StreamLog log;
    long expiresAt;

    Held(StreamLog log) {
      this.log = log;
    }
  }

  @Override
  public synchronized Future<Appended> append(String stream, String payload, long timestamp, HistoryPolicy policy,
                                              String publishId) {
    long now = System.nanoTime();
    Held held = live(stream, now);
    if (held == null) {
      if (streams.size() >= maxStreams) {
        sweep(now);
        if (streams.size() >= maxStreams) {
          return Future.failedFuture(new StreamLimitException(stream, maxStreams));
        }
      }
      held = new Held(new StreamLog(policy.size(), StreamLog.newEpoch()));
      streams.put(stream, held);
    } else {
      long stored = held.log.offsetOf(publishId);
      if (stored > 0) {
        return Future.succeededFuture(new Appended(stored, held.log.epoch()));
      }
    }
    long offset = held.log.append(payload, timestamp, policy.size(), publishId);
    // One JVM, no backup to wait for: stored is committed.
    held.log.commit(offset, System.currentTimeMillis());
    held.expiresAt = now + policy.ttlMs() * 1_000_000;
    return Future.succeededFuture(new Appended(offset, held.log.epoch()));
  }

  /**
   * The stream if it exists and has not expired; an expired one is removed here. A full sweep
   * also runs from here once a second: the timer of a shared store belongs to the verticle that
   * created it, and stops when that one is undeployed while others still use the store.
   */
  private Held live(String stream, long now) {
    if (now - lastSweep > SWEEP_EVERY_MS * 1_000_000) {
      sweep(now);
    }
    Held held = streams.get(stream);
    if (held != null && held.expiresAt - now <= 0) {
      streams.remove(stream);
      return null;
    }
    return held;
  }

  @Override
  public synchronized Future<Page> since(String stream, long afterOffset) {
    Held held = live(stream, System.nanoTime());
    return Future.succeededFuture(held == null ? Page.empty(afterOffset) : held.log.page(afterOffset, System.currentTimeMillis()));
  }

  @Override
  public synchronized Future<Map<String, Position>> positions(Collection<String> names) {
    long now = System.nanoTime();
    Map<String, Position> out = new HashMap<>();
    for (String stream : names) {
      Held held = live(stream, now);
      if (held != null) {
        out.put(stream, new Position(held.log.committed(), held.log.epoch()));
      }
    }
    return Future.succeededFuture(out);
  }

  @Override
  public synchronized Future<Integer> size() {
    return Future.succeededFuture(streams.size());
  }

  private synchronized void sweep(long now) {
    lastSweep = now;
    streams.values().removeIf(held -> held.expiresAt - now <= 0);
  }

  @Override
  public void close() {
    if (sharedName == null) {
      vertx.cancelTimer(timerId);
      return;
    }
    LocalMap<String, LocalStreamHistory> stores = vertx.sharedData().getLocalMap(SHARED_MAP);
    synchronized (stores) {
      boolean last;
      synchronized (this) {
        last = --users == 0;
      }
      if (last) {
        stores.remove(sharedName, this);
        vertx.cancelTimer(timerId);
      }
    }
  }
}
