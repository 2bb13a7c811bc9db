package io.github.switchboard.coordination.members;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import io.github.switchboard.coordination.ClusterQuorum;
import io.github.switchboard.coordination.ClusterStorage;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The cluster as one process sees it, for operators (the server API's {@code GET /api/cluster},
 * the admin page): the members of its Hazelcast view, each with what its processes wrote in the
 * {@link MemberDirectory} (components, role states, version, uptime, the cluster size it sees),
 * plus the entries of members this process does not see (the other side of a split, or a member
 * that died less than {@link MemberDirectory#TTL_MS} ago), and who holds each service role.
 *
 * <p>Reading the view is local; reading the directory is one map read.
 */
public final class ClusterView {

  private ClusterView() {
  }

  /** The view from this process. */
  public static Future<JsonObject> read(Vertx vertx) {
    return MemberDirectory.entries(vertx).map(entries -> build(vertx, entries));
  }

  static JsonObject build(Vertx vertx, List<JsonObject> entries) {
    Optional<HazelcastInstance> hazelcast = ClusterStorage.hazelcast(vertx);
    String self = MemberDirectory.nodeId(vertx);
    // One row per node: Hazelcast's view first, in its order (oldest member first).
    Map<String, JsonObject> nodes = new LinkedHashMap<>();
    int size;
    int quorum;
    if (hazelcast.isPresent()) {
      var members = hazelcast.get().getCluster().getMembers();
      size = members.size();
      quorum = ClusterQuorum.of(hazelcast.get()).minimum();
      for (Member member : members) {
        String node = member.getUuid().toString();
        nodes.put(node, new JsonObject().put("node", node)
          .put("address", member.getAddress().getHost() + ":" + member.getAddress().getPort())
          .put("dataMember", !member.isLiteMember()).put("seen", true).put("self", node.equals(self)));
      }
    } else {
      size = 1;
      quorum = 0;
      nodes.put(self, new JsonObject().put("node", self).put("dataMember", true).put("seen", true).put("self", true));
    }
    Map<String, TreeMap<String, JsonObject>> components = new TreeMap<>();
    for (JsonObject entry : entries) {
      String node = entry.getString("node");
      if (node == null) {
        continue;
      }
      nodes.computeIfAbsent(node, n -> new JsonObject().put("node", n).put("seen", false).put("self", false));
      components.computeIfAbsent(node, n -> new TreeMap<>()).put(entry.getString("component", "") + "/"
        + entry.getString("id", ""), entry);
    }
    long now = System.currentTimeMillis();
    JsonArray out = new JsonArray();
    Map<String, JsonObject> roles = new TreeMap<>();
    boolean agree = true;
    for (JsonObject row : nodes.values()) {
      JsonArray parts = new JsonArray();
      for (JsonObject entry : components.getOrDefault(row.getString("node"), new TreeMap<>()).values()) {
        // The process fields are the same in each of a node's entries: lift them to the row.
        for (String field : List.of("host", "pid", "version", "startedAt", "clusterSize", "dataMembers")) {
          if (entry.containsKey(field)) {
            row.put(field, entry.getValue(field));
          }
        }
        JsonObject part = entry.copy();
        for (String field : List.of("node", "host", "pid", "version", "startedAt", "clusterSize", "dataMembers", "dataMember")) {
          part.remove(field);
        }
        parts.add(part);
        String state = part.getString("state");
        if (state != null) {
          JsonObject role = roles.computeIfAbsent(part.getString("component"), r -> new JsonObject()
            .put("active", new JsonArray()).put("standby", new JsonArray()));
          role.getJsonArray("active".equals(state) ? "active" : "standby").add(row.getString("node"));
        }
      }
      if (row.containsKey("startedAt")) {
        row.put("uptimeMs", now - row.getLong("startedAt"));
      }
      if (row.getBoolean("seen") && row.containsKey("clusterSize") && row.getInteger("clusterSize") != size) {
        agree = false;
      }
      row.put("components", parts);
      out.add(row);
    }
    JsonObject roleView = new JsonObject();
    roles.forEach(roleView::put);
    List<String> notSeen = new ArrayList<>();
    for (JsonObject row : nodes.values()) {
      if (!row.getBoolean("seen")) {
        notSeen.add(row.getString("node"));
      }
    }
    return new JsonObject()
      .put("clustered", hazelcast.isPresent())
      .put("self", self)
      .put("size", size)
      .put("quorum", quorum)
      .put("sizesAgree", agree)
      .put("notSeen", new JsonArray(notSeen))
      .put("roles", roleView)
      .put("members", out);
  }
}
