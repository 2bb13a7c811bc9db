package io.github.switchboard.gateway.http;

import io.github.switchboard.launcher.health.HealthHandler;
import io.github.switchboard.launcher.health.Readiness;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;

/**
 * {@code GET /health/live} and {@code GET /health/ready} for probes and load balancers, answered
 * by the handler every process shares, so the gateway's bodies have the same shape as the
 * services' ({@code {"status":..,"service":"gateway"}}).
 */
public final class HealthRoutes {

  public static final String SERVICE = "gateway";

  private HealthRoutes() {
  }

  public static void mount(Router router, Readiness readiness) {
    HealthHandler health = new HealthHandler(SERVICE, readiness);
    JsonResponses.read(router, HealthHandler.LIVE_PATH).handler(ctx -> health.live(ctx.request()));
    JsonResponses.read(router, HealthHandler.READY_PATH).handler(ctx -> health.ready(ctx.request()));
    JsonResponses.onlyAllow(router, HealthHandler.LIVE_PATH, HttpMethod.GET, HttpMethod.HEAD);
    JsonResponses.onlyAllow(router, HealthHandler.READY_PATH, HttpMethod.GET, HttpMethod.HEAD);
  }
}
