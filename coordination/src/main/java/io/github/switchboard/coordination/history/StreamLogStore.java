package io.github.switchboard.coordination.history;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.MapLoaderLifecycleSupport;
import com.hazelcast.map.MapStore;

import java.sql.SQLException;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Hazelcast's write-through store of a history map ({@code switchboard.chat.history},
 * {@code switchboard.streams}) in PostgreSQL (docs/operations.md, "History in PostgreSQL").
 *
 * <p>Hazelcast calls {@link #store} on the data member that owns the stream, after the append's
 * entry processor and before it answers, on a thread of its own (MapStore calls are offloaded
 * from the partition threads): an append is acknowledged only once its row is committed in the
 * database. When the write fails the append fails, and its caller answers {@code timeout}: the
 * message stays in the memory copy, above the watermark, and is written with the next append
 * that succeeds (every write sends what the database has not taken yet).
 *
 * <p>A stream that is not in memory (after the whole cluster stopped, or was freed on this side)
 * is read back by {@link #load} when it is first used, with its epoch and offsets, so clients
 * recover with {@code since} across a full restart. Streams freed by their TTL are deleted
 * ({@link #delete}, from the sweep's {@code removeAll}).
 */
public final class StreamLogStore implements MapStore<String, StreamLog>, MapLoaderLifecycleSupport {

  private HazelcastInstance hazelcast;
  private String map;
  private volatile HistoryDatabase database;
  /**
   * What this member knows the database holds, per stream: a write sends only the messages
   * after it. Unknown (the stream came to this member by migration or promotion, or was dropped
   * from here): every kept message is written once, over what is there. Bounded, least recently
   * written dropped first: Hazelcast tells a store nothing when a stream migrates away, so
   * without a bound the entries of streams now held elsewhere would pile up.
   */
  private final Map<String, HistoryDatabase.Stored> written = Collections.synchronizedMap(
    new LinkedHashMap<>(1_024, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, HistoryDatabase.Stored> eldest) {
        return size() > MAX_KNOWN_STREAMS;
      }
    });
  /** Streams whose written position a member keeps (about 100 bytes each). */
  static final int MAX_KNOWN_STREAMS = 100_000;

  @Override
  public void init(HazelcastInstance hazelcastInstance, Properties properties, String mapName) {
    this.hazelcast = hazelcastInstance;
    this.map = mapName;
  }

  @Override
  public void destroy() {
    // The pool belongs to the process (both history maps use it).
  }

  private HistoryDatabase database(boolean write) {
    HistoryDatabase found = database;
    if (found == null) {
      found = HistoryDatabase.required(hazelcast, map, write);
      database = found;
    }
    return found;
  }

  @Override
  public void store(String stream, StreamLog value) {
    HistoryDatabase.Stored known = written.get(stream);
    boolean fresh = known == null || !known.epoch().equals(value.epoch());
    if (!fresh && value.top() <= known.top()) {
      // Nothing new: a commit of offsets already written.
      return;
    }
    try {
      database(true).write(map, stream, value, fresh ? 0 : known.top(), fresh);
    } catch (SQLException | RuntimeException e) {
      throw new HistoryUnavailableException("map " + map + " stream " + stream + ": offset " + value.top()
        + " not written to the history database (" + e.getMessage() + ")", true, e);
    }
    written.put(stream, new HistoryDatabase.Stored(value.epoch(), value.top()));
  }

  @Override
  public void storeAll(Map<String, StreamLog> streams) {
    streams.forEach(this::store);
  }

  @Override
  public void delete(String stream) {
    written.remove(stream);
    try {
      database(true).delete(map, stream);
    } catch (SQLException | RuntimeException e) {
      throw new HistoryUnavailableException("map " + map + " stream " + stream + ": not deleted from the history"
        + " database (" + e.getMessage() + ")", true, e);
    }
  }

  @Override
  public void deleteAll(Collection<String> streams) {
    streams.forEach(this::delete);
  }

  @Override
  public StreamLog load(String stream) {
    try {
      StreamLog streamLog = database(false).read(map, stream, System.currentTimeMillis());
      if (streamLog != null) {
        written.put(stream, new HistoryDatabase.Stored(streamLog.epoch(), streamLog.top()));
      }
      return streamLog;
    } catch (SQLException | RuntimeException e) {
      throw new HistoryUnavailableException("map " + map + " stream " + stream + ": not read from the history"
        + " database (" + e.getMessage() + ")", false, e);
    }
  }

  @Override
  public Map<String, StreamLog> loadAll(Collection<String> streams) {
    Map<String, StreamLog> out = new HashMap<>();
    for (String stream : streams) {
      StreamLog streamLog = load(stream);
      if (streamLog != null) {
        out.put(stream, streamLog);
      }
    }
    return out;
  }

  /** Nothing is loaded at start: a stream is read back when it is first used. */
  @Override
  public Iterable<String> loadAllKeys() {
    return null;
  }
}
