package io.github.switchboard.gateway.api;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.TreeMap;

/**
 * Which gateways are up, so that a server API call can ask each of them: every gateway keeps an
 * entry with a time to live in one shared map (the cluster's when clustered, this process's
 * when embedded), writes it again at a third of that, and removes it when it stops. A gateway
 * that dies is gone from the map within {@link #TTL_MS}; until then a call lists it as
 * unreachable.
 *
 * <p>The map's name is outside {@code switchboard.*} on purpose: those maps are refused on the
 * side of a split without the quorum, and a gateway there must still be able to say it exists
 * (it refuses clients itself).
 */
public final class GatewayDirectory {

  /** The shared map of gateways. */
  public static final String MAP = "switchboard-gateways";
  static final long TTL_MS = 15_000;
  private static final Logger log = LoggerFactory.getLogger(GatewayDirectory.class);

  private final Vertx vertx;
  private final String self;
  private final JsonObject entry;
  private AsyncMap<String, String> map;
  private long timer = -1;

  /**
   * @param self  this gateway's id (the prefix of its connection ids)
   * @param entry what the directory says of it (address, port, start time)
   */
  public GatewayDirectory(Vertx vertx, String self, JsonObject entry) {
    this.vertx = vertx;
    this.self = self;
    this.entry = entry.copy().put("id", self);
  }

  /** Adds a field to this gateway's entry (before {@link #start}). */
  public void describe(String key, Object value) {
    entry.put(key, value);
  }

  public String self() {
    return self;
  }

  /** Writes this gateway's entry and keeps it fresh. */
  public Future<Void> start() {
    return vertx.sharedData().<String, String>getAsyncMap(MAP).compose(m -> {
      map = m;
      timer = vertx.setPeriodic(TTL_MS / 3, id -> write()
        .onFailure(e -> log.warn("gateway={} directory entry not refreshed: {}", self, e.getMessage())));
      return write();
    });
  }

  private Future<Void> write() {
    return map.put(self, entry.encode(), TTL_MS);
  }

  /** Every gateway's entry, by id (this one included). */
  public Future<Map<String, JsonObject>> gateways() {
    if (map == null) {
      return Future.succeededFuture(Map.of(self, entry));
    }
    return map.entries().map(all -> {
      Map<String, JsonObject> out = new TreeMap<>();
      all.forEach((id, json) -> {
        try {
          out.put(id, new JsonObject(json));
        } catch (RuntimeException e) {
          log.warn("gateway directory: entry of {} is not JSON, skipped", id);
        }
      });
      // Our own entry may be missing for a moment (written, not yet visible; or expired during
      // a long pause): we are up, so we are listed.
      out.putIfAbsent(self, entry);
      return out;
    });
  }

  /** Removes this gateway's entry (it stops). */
  public Future<Void> stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    return map == null ? Future.succeededFuture() : map.remove(self).<Void>mapEmpty()
      .otherwise(e -> {
        log.warn("gateway={} directory entry not removed (it expires in {} ms): {}", self, TTL_MS, e.getMessage());
        return null;
      });
  }
}
