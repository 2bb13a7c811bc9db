package io.github.switchboard.gateway.http;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/** {@code GET /health/live} and {@code GET /health/ready} for probes and load balancers. */
public final class HealthRoutes {

  private HealthRoutes() {
  }

  public static void mount(Router router, Readiness readiness) {
    router.get("/health/live").handler(ctx -> JsonResponses.send(ctx, 200, new JsonObject().put("status", "UP")));
    router.get("/health/ready").handler(ctx -> {
      if (readiness.isReady()) {
        JsonResponses.send(ctx, 200, new JsonObject().put("status", "UP"));
      } else {
        JsonResponses.send(ctx, 503, new JsonObject().put("status", readiness.isDraining() ? "DRAINING" : "STARTING"));
      }
    });
  }
}
