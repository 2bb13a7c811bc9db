package io.github.switchboard.gateway.api;

import io.github.switchboard.coordination.members.MemberDirectory;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.TreeMap;

/**
 * Which gateways are up, so that a server API call can ask each of them: the gateways' entries
 * of the cluster's {@link MemberDirectory} (component {@value #COMPONENT}, keyed by gateway id),
 * which every process keeps fresh with a time to live. A gateway that dies is gone from it within
 * {@link MemberDirectory#TTL_MS}; until then a call lists it as unreachable.
 */
public final class GatewayDirectory {

  /** A gateway's component name in the member directory. */
  public static final String COMPONENT = "gateway";

  private final Vertx vertx;
  private final String self;
  private final JsonObject entry;
  private final MemberDirectory directory;

  /**
   * @param self  this gateway's id (the prefix of its connection ids)
   * @param entry what the directory says of it besides the process (listen address, port)
   */
  public GatewayDirectory(Vertx vertx, String self, JsonObject entry) {
    this.vertx = vertx;
    this.self = self;
    this.entry = entry.copy();
    this.directory = new MemberDirectory(vertx, COMPONENT, self, () -> this.entry);
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
    return directory.start();
  }

  /** Every gateway's entry, by id (this one included). */
  public Future<Map<String, JsonObject>> gateways() {
    return MemberDirectory.entries(vertx).map(all -> {
      Map<String, JsonObject> out = new TreeMap<>();
      for (JsonObject member : all) {
        if (COMPONENT.equals(member.getString("component")) && member.getString("id") != null) {
          out.put(member.getString("id"), member);
        }
      }
      // Our own entry may be missing for a moment (written, not yet visible; or expired during
      // a long pause): we are up, so we are listed.
      out.putIfAbsent(self, directory.entry());
      return out;
    });
  }

  /** Removes this gateway's entry (it stops). */
  public Future<Void> stop() {
    return directory.stop();
  }
}
