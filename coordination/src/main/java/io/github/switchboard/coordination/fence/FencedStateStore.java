package io.github.switchboard.coordination.fence;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.MapLoaderLifecycleSupport;
import com.hazelcast.map.MapStore;
import io.github.switchboard.coordination.history.HistoryDatabase;
import io.github.switchboard.coordination.history.HistoryUnavailableException;

import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Hazelcast's write-through store of the fenced maps in PostgreSQL: the roles' tokens
 * ({@value HazelcastRoleFence#MAP}, a {@code Long} per role) and the values a role's holder writes
 * under its token ({@link Fenced}, e.g. the score events). Both are a token and, for a value, a
 * text: one row each in {@code switchboard_fenced} (docs/operations.md, "History in PostgreSQL").
 *
 * <p>Why the tokens too: the values come back from the database after a full restart with the
 * tokens they were written with. Tokens drawn again from 1 would be older than those, and the new
 * holder would be fenced out of its own role for good. Stored, the next token is greater than
 * any stored value's, across restarts as within a run.
 *
 * <p>Write-through like the history: a token is handed out, and a value acknowledged, only once
 * its row is committed; the database down, the draw or the write fails (and is retried by its
 * caller). A key is read back when it is first used; the maps are small (a row per role, per
 * score event).
 */
public final class FencedStateStore implements MapStore<String, Object>, MapLoaderLifecycleSupport {

  private HazelcastInstance hazelcast;
  private String map;

  @Override
  public void init(HazelcastInstance hazelcastInstance, Properties properties, String mapName) {
    this.hazelcast = hazelcastInstance;
    this.map = mapName;
  }

  @Override
  public void destroy() {
    // The pool belongs to the process.
  }

  @Override
  public void store(String key, Object value) {
    HistoryDatabase.FencedRow row;
    if (value instanceof Long token) {
      row = new HistoryDatabase.FencedRow(token, null);
    } else if (value instanceof Fenced fenced) {
      row = new HistoryDatabase.FencedRow(fenced.token(), fenced.value());
    } else {
      throw new IllegalArgumentException("map " + map + " key " + key + ": a fenced map holds tokens (Long) or"
        + " Fenced values, not " + (value == null ? "null" : value.getClass().getName()));
    }
    try {
      HistoryDatabase.required(hazelcast, map, true).writeFenced(map, key, row);
    } catch (SQLException | RuntimeException e) {
      throw new HistoryUnavailableException("map " + map + " key " + key + ": token " + row.token()
        + " not written to the database (" + e.getMessage() + ")", true, e);
    }
  }

  @Override
  public void storeAll(Map<String, Object> entries) {
    entries.forEach(this::store);
  }

  @Override
  public void delete(String key) {
    try {
      HistoryDatabase.required(hazelcast, map, true).deleteFenced(map, key);
    } catch (SQLException | RuntimeException e) {
      throw new HistoryUnavailableException("map " + map + " key " + key + ": not deleted from the database ("
        + e.getMessage() + ")", true, e);
    }
  }

  @Override
  public void deleteAll(Collection<String> keys) {
    keys.forEach(this::delete);
  }

  @Override
  public Object load(String key) {
    HistoryDatabase.FencedRow row;
    try {
      row = HistoryDatabase.required(hazelcast, map, false).readFenced(map, key);
    } catch (SQLException | RuntimeException e) {
      throw new HistoryUnavailableException("map " + map + " key " + key + ": not read from the database ("
        + e.getMessage() + ")", false, e);
    }
    if (row == null) {
      return null;
    }
    return row.value() == null ? (Object) row.token() : new Fenced(row.token(), row.value());
  }

  @Override
  public Map<String, Object> loadAll(Collection<String> keys) {
    Map<String, Object> out = new HashMap<>();
    for (String key : keys) {
      Object value = load(key);
      if (value != null) {
        out.put(key, value);
      }
    }
    return out;
  }

  /**
   * Nothing is loaded at start: each key is read when first used (a token drawn, a value raised,
   * written or read by key), so a database down at start fails those calls, not the map.
   */
  @Override
  public Iterable<String> loadAllKeys() {
    return null;
  }
}
