package io.github.switchboard.coordination.history;

import io.github.switchboard.coordination.StoreUnavailableException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Streams in this process's heap, for the embedded mode (no cluster to hold them). A timer frees
 * the streams whose TTL has passed, once a second, so memory comes back even when nobody writes.
 *
 * <p>A store may be shared by every verticle of one Vert.x instance ({@link #shared}): two
 * embedded gateways in one JVM share its event bus, so they must share the numbering of the
 * groups they sequence too. Its methods are synchronized for that; each call is short. It lives
 * until its last user closes it.
 *
 * <p>With a {@link HistoryFile} ({@link #openShared}), every message is also written to a file
 * under the data directory, and read back when the process starts again: an append is answered
 * once its record is written, and readers see it from then on (until then it is above the
 * watermark, as in the cluster before the backup answers).
 */
public final class LocalStreamHistory implements StreamHistory, Shareable {

  static final long SWEEP_EVERY_MS = 1_000;
  /**
   * The history file is rewritten with what the streams keep once it holds more than this many
   * records and more than twice as many as they keep: the file stays within a few times what is
   * kept, and a rewrite's cost is spread over at least as many appends as it writes.
   */
  static final long REWRITE_AFTER_RECORDS = 10_000;
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
  /** Null: this store lives in memory only. */
  private final HistoryFile file;
  /** Messages the streams keep now, and records in the file: when to rewrite it. */
  private long kept;
  private long recordsInFile;

  public LocalStreamHistory(Vertx vertx, int maxStreams) {
    this(vertx, maxStreams, null, null, Map.of(), 0);
  }

  private LocalStreamHistory(Vertx vertx, int maxStreams, String sharedName, HistoryFile file,
                             Map<String, StreamLog> replayed, long recordsInFile) {
    this.vertx = vertx;
    this.maxStreams = maxStreams;
    this.sharedName = sharedName;
    this.file = file;
    this.recordsInFile = recordsInFile;
    long nowNanos = System.nanoTime();
    long nowMillis = System.currentTimeMillis();
    replayed.forEach((stream, streamLog) -> {
      Held held = new Held(streamLog);
      held.expiresAt = nowNanos + (streamLog.getExpiresAt() - nowMillis) * 1_000_000;
      streams.put(stream, held);
      kept += streamLog.count();
    });
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
      LocalStreamHistory store = stores.computeIfAbsent(name,
        key -> new LocalStreamHistory(vertx, maxStreams, name, null, Map.of(), 0));
      store.addUser();
      return store;
    }
  }

  /**
   * The same, with {@code files}: the store keeps its streams in {@code <dir>/<name>.history}
   * too, and a new store first reads back what that file holds (on a worker thread). Null
   * {@code files}: {@link #shared}. Fails when the file cannot be opened (another process has
   * it, it is damaged beyond its last record, the directory cannot be written).
   */
  public static Future<LocalStreamHistory> openShared(Vertx vertx, String name, int maxStreams, HistoryFileOptions files) {
    if (files == null) {
      return Future.succeededFuture(shared(vertx, name, maxStreams));
    }
    LocalMap<String, LocalStreamHistory> stores = vertx.sharedData().getLocalMap(SHARED_MAP);
    synchronized (stores) {
      LocalStreamHistory open = stores.get(name);
      if (open != null) {
        open.addUser();
        return Future.succeededFuture(open);
      }
    }
    return vertx.executeBlocking(() -> withFile(vertx, maxStreams, name, files, true), false).map(store -> {
      synchronized (stores) {
        stores.put(name, store);
        store.addUser();
        return store;
      }
    });
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
        // A repeat: answered once the first one is written (it may still be on its way).
        Appended first = new Appended(stored, held.log.epoch());
        return file == null ? Future.succeededFuture(first) : file.flushed().map(first);
      }
    }
    StreamLog streamLog = held.log;
    int before = streamLog.count();
    long offset = streamLog.append(payload, timestamp, policy.size(), publishId);
    streamLog.expiresAt(System.currentTimeMillis() + policy.ttlMs());
    kept += streamLog.count() - before;
    held.expiresAt = now + policy.ttlMs() * 1_000_000;
    Appended appended = new Appended(offset, streamLog.epoch());
    if (file == null) {
      // One JVM, no backup to wait for: stored is committed.
      streamLog.commit(offset, System.currentTimeMillis());
      return Future.succeededFuture(appended);
    }
    Future<Void> written = file.write(new HistoryFile.Entry(stream, streamLog.epoch(), offset, timestamp,
      streamLog.getExpiresAt(), policy.size(), publishId, payload));
    recordsInFile++;
    if (recordsInFile > Math.max(REWRITE_AFTER_RECORDS, 2 * kept)) {
      rewrite();
    }
    return written.transform(ar -> {
      if (ar.failed()) {
        return Future.failedFuture(StoreUnavailableException.unconfirmed("stream " + stream + ": offset " + offset
          + " is in memory but its history file did not take it (" + ar.cause().getMessage() + ")", ar.cause()));
      }
      synchronized (this) {
        streamLog.commit(offset, System.currentTimeMillis());
      }
      return Future.succeededFuture(appended);
    });
  }

  /**
   * A store with its file {@code <dir>/<name>.history}, read back here (blocking on the disk: a
   * worker thread, or a test); {@code shared}: the store {@link #openShared} registers.
   */
  static LocalStreamHistory withFile(Vertx vertx, int maxStreams, String name, HistoryFileOptions files,
                                     boolean shared) throws java.io.IOException {
    Map<String, StreamLog> replayed = new HashMap<>();
    HistoryFile.Opened opened = HistoryFile.open(files.dir(), name, files.fsync(), System.currentTimeMillis(), replayed);
    return new LocalStreamHistory(vertx, maxStreams, shared ? name : null, opened.file(), replayed, opened.records());
  }

  /** Replaces the history file with what the streams keep now (queued behind the writes before it). */
  private void rewrite() {
    List<HistoryFile.Entry> entries = new ArrayList<>((int) Math.min(kept, Integer.MAX_VALUE - 8));
    streams.forEach((stream, held) -> entries.addAll(held.log.kept(stream)));
    recordsInFile = entries.size();
    file.rewrite(entries);
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
      kept -= held.log.count();
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
    streams.values().removeIf(held -> {
      if (held.expiresAt - now <= 0) {
        kept -= held.log.count();
        return true;
      }
      return false;
    });
  }

  @Override
  public Future<Void> close() {
    if (sharedName == null) {
      vertx.cancelTimer(timerId);
      return closeFile();
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
        return closeFile();
      }
    }
    return Future.succeededFuture();
  }

  /** Writes what is queued and lets the file go (a process starting next may open it). */
  private Future<Void> closeFile() {
    return file == null ? Future.succeededFuture() : file.close();
  }
}
