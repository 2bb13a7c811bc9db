package io.github.switchboard.gateway.http;

import io.github.switchboard.gateway.metrics.GatewayStats;
import io.github.switchboard.gateway.fanout.GroupRegistry;
import io.github.switchboard.gateway.session.Endpoint;
import io.github.switchboard.gateway.session.Sessions;
import io.github.switchboard.gateway.transport.OpenConnections;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/**
 * {@code GET /api/stats}: this gateway's connections, group consumers and counters, and the
 * number of cluster members, as JSON (the index page shows them; tests observe consumer counts
 * through it).
 */
public final class StatsRoute {

  static final String PATH = "/api/stats";

  private StatsRoute() {
  }

  public static void mount(Router router, Vertx vertx, Sessions sessions, OpenConnections connections, GroupRegistry groups,
                           GatewayStats stats) {
    JsonResponses.read(router, PATH).handler(ctx -> {
      JsonObject byEndpoint = new JsonObject();
      for (Endpoint endpoint : Endpoint.values()) {
        byEndpoint.put(endpoint.path(), sessions.size(endpoint));
      }
      JsonObject body = new JsonObject()
        .put("connections", sessions.size())
        .put("tcpConnections", connections.total())
        .put("connectionsByEndpoint", byEndpoint)
        .put("groupConsumers", groups.consumerCount())
        .put("clustered", vertx.isClustered())
        .put("members", members(vertx))
        .mergeIn(stats.toJson());
      String group = ctx.queryParams().get("group");
      if (group != null) {
        body.put("group", new JsonObject().put("name", group).put("localMembers", groups.memberCount(group)));
      }
      JsonResponses.send(ctx, 200, body);
    });
    JsonResponses.onlyAllow(router, PATH, HttpMethod.GET, HttpMethod.HEAD);
  }

  /** Members of the Vert.x cluster this gateway belongs to (1 when not clustered). */
  static int members(Vertx vertx) {
    if (vertx.isClustered() && vertx instanceof VertxInternal internal) {
      ClusterManager manager = internal.clusterManager();
      if (manager != null) {
        return manager.getNodes().size();
      }
    }
    return 1;
  }
}
