package io.github.switchboard.coordination.members;

import com.hazelcast.core.HazelcastInstance;
import io.github.switchboard.coordination.ClusterStorage;
import io.github.switchboard.launcher.DataMemberQuorum;
import io.github.switchboard.launcher.JarManifest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What runs where in the cluster: every component of every process (a gateway, a chat or
 * simulator service) keeps one entry in a shared map, with a time to live, written again at a
 * third of it and at once when its state changes (a service taking or losing its role), and
 * removed when it stops. The server API's member list, the admin page and the control channel's
 * list of gateways read it. An entry says which cluster member it runs on, the host, process id,
 * version and start time of its JVM, how many members that process sees in the cluster (so a
 * split shows as members that disagree), and what the component adds ({@link #MemberDirectory}'s
 * {@code state}).
 *
 * <p>The map is the cluster's when clustered, this JVM's when embedded (one process, all three
 * components). Its name is outside {@code switchboard.*} on purpose: those maps are refused on
 * the side of a split without the quorum, and a process there must still be able to say it
 * exists. A process that dies is gone from the map within {@link #TTL_MS}.
 */
public final class MemberDirectory {

  /** The shared map of components. */
  public static final String MAP = "switchboard-members";
  /** How long an entry outlives its last write. */
  public static final long TTL_MS = 15_000;
  private static final Logger log = LoggerFactory.getLogger(MemberDirectory.class);
  private static final String HOST = hostName();

  private final Vertx vertx;
  private final String component;
  private final String id;
  private final Supplier<JsonObject> state;
  private AsyncMap<String, String> map;
  /** The newest write: a stop removes the entry after it, so that no write lands after the removal. */
  private Future<Void> lastWrite = Future.succeededFuture();
  private long timer = -1;
  private boolean stopped;

  /**
   * @param component what this entry describes: {@code gateway}, {@code chat} or {@code simulator}
   * @param id        unique in the cluster (a gateway's id; a service's node and role)
   * @param state     read at each write: what the component says of itself now
   */
  public MemberDirectory(Vertx vertx, String component, String id, Supplier<JsonObject> state) {
    this.vertx = vertx;
    this.component = component;
    this.id = id;
    this.state = state;
  }

  /**
   * Writes this entry and keeps it fresh; the returned future is the first write's. A write that
   * fails is tried again at the next refresh.
   */
  public Future<Void> start() {
    timer = vertx.setPeriodic(TTL_MS / 3, t -> write()
      .onFailure(e -> log.warn("{} {}: member directory entry not refreshed: {}", component, id, e.getMessage())));
    return write();
  }

  /** The component's state changed: write it now rather than at the next refresh. */
  public void changed() {
    if (timer >= 0 && !stopped) {
      write().onFailure(e -> log.warn("{} {}: member directory entry not updated: {}", component, id, e.getMessage()));
    }
  }

  /** This entry as it would be written now. */
  public JsonObject entry() {
    JsonObject entry = describe(vertx).put("component", component).put("id", id);
    JsonObject own = state.get();
    if (own != null) {
      entry.mergeIn(own);
    }
    return entry;
  }

  private Future<Void> write() {
    Future<AsyncMap<String, String>> shared = map != null ? Future.succeededFuture(map)
      : vertx.sharedData().<String, String>getAsyncMap(MAP).onSuccess(m -> map = m);
    lastWrite = shared.compose(m -> m.put(id, entry().encode(), TTL_MS));
    return lastWrite;
  }

  /** Removes this entry (the component stops). */
  public Future<Void> stop() {
    stopped = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    return lastWrite.transform(ignored -> map == null ? Future.<Void>succeededFuture() : map.remove(id).<Void>mapEmpty())
      .otherwise(e -> {
        log.warn("{} {}: member directory entry not removed (it expires in {} ms): {}", component, id, TTL_MS,
          e.getMessage());
        return null;
      });
  }

  /** Every entry of the directory (unreadable ones skipped with a warning). */
  public static Future<List<JsonObject>> entries(Vertx vertx) {
    return vertx.sharedData().<String, String>getAsyncMap(MAP).compose(AsyncMap::entries).map(all -> {
      List<JsonObject> out = new ArrayList<>(all.size());
      all.forEach((key, json) -> {
        try {
          out.add(new JsonObject(json));
        } catch (RuntimeException e) {
          log.warn("member directory: entry {} is not JSON, skipped", key);
        }
      });
      return out;
    });
  }

  /**
   * This process as the cluster knows it: its Vert.x node id ({@value #EMBEDDED_NODE} when not
   * clustered), host, process id, version, JVM start time, and the members it sees.
   */
  public static JsonObject describe(Vertx vertx) {
    Optional<HazelcastInstance> hazelcast = ClusterStorage.hazelcast(vertx);
    JsonObject out = new JsonObject()
      .put("node", nodeId(vertx))
      .put("host", HOST)
      .put("pid", ProcessHandle.current().pid())
      .put("version", JarManifest.version())
      .put("startedAt", ManagementFactory.getRuntimeMXBean().getStartTime());
    if (hazelcast.isPresent()) {
      var members = hazelcast.get().getCluster().getMembers();
      out.put("clusterSize", members.size()).put("dataMembers", DataMemberQuorum.dataMembers(members))
        .put("dataMember", !hazelcast.get().getCluster().getLocalMember().isLiteMember());
    } else {
      out.put("clusterSize", 1).put("dataMembers", 1).put("dataMember", true);
    }
    return out;
  }

  /** What an embedded process calls its one node. */
  public static final String EMBEDDED_NODE = "embedded";

  /**
   * This process's Hazelcast member UUID (what {@link ClusterView} lists members by; Vert.x's own
   * node id is another value), or {@value #EMBEDDED_NODE}.
   */
  public static String nodeId(Vertx vertx) {
    return ClusterStorage.hazelcast(vertx).map(hz -> hz.getCluster().getLocalMember().getUuid().toString())
      .orElse(EMBEDDED_NODE);
  }

  private static String hostName() {
    String fromEnv = System.getenv("HOSTNAME");
    if (fromEnv != null && !fromEnv.isBlank()) {
      // A pod's name in Kubernetes: what an operator knows it by.
      return fromEnv;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "unknown";
    }
  }
}
