package io.github.switchboard.launcher.health;

import io.github.switchboard.launcher.settings.Settings;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.PrometheusRequestHandler;
import io.vertx.micrometer.backends.BackendRegistries;

import java.util.Map;

/**
 * The small HTTP server of a clustered service process (chat, simulator), which has no gateway
 * beside it to answer for it: {@code /health/live} and {@code /health/ready} through a
 * {@link HealthHandler}, {@code /metrics} (Prometheus text, when Micrometer runs, as the
 * launcher arranges) and a JSON 404 for anything else. Listens on {@code healthPort} /
 * {@code SWITCHBOARD_HEALTH_PORT}; when to start it is the service skeleton's rule
 * ({@code coordination/ActiveStandbyService}: clustered and a port set).
 */
public final class HealthServer {

  public static final String PORT_KEY = "healthPort";
  public static final String PORT_ENV = "SWITCHBOARD_HEALTH_PORT";
  public static final String METRICS_PATH = "/metrics";

  private final HttpServer server;

  private HealthServer(HttpServer server) {
    this.server = server;
  }

  /**
   * The port from {@code SWITCHBOARD_HEALTH_PORT} or the config's {@code healthPort}, read
   * through {@link Settings}; 0 (none set, or blank) means no server. An invalid value throws
   * the Settings error naming key and variable.
   */
  public static int port(JsonObject config, Map<String, String> env) {
    return Settings.of(config, env).intIn(PORT_KEY, 0, 0, 65535);
  }

  /** Listens on {@code port} (0 = any free port, for tests). */
  public static Future<HealthServer> start(Vertx vertx, int port, HealthHandler health) {
    // Looked up once: the launcher creates the registry before any verticle starts.
    MeterRegistry shared = BackendRegistries.getDefaultNow();
    Handler<HttpServerRequest> metrics = shared instanceof PrometheusMeterRegistry prometheus
      ? PrometheusRequestHandler.create(prometheus) : null;
    return vertx.createHttpServer().requestHandler(request -> {
      if (health.handle(request)) {
        return;
      }
      if (!METRICS_PATH.equals(request.path())) {
        notFound(request, "no resource at " + request.path());
      } else if (metrics != null) {
        metrics.handle(request);
      } else {
        notFound(request, "metrics are not enabled");
      }
    }).listen(port).map(HealthServer::new);
  }

  public int actualPort() {
    return server.actualPort();
  }

  public Future<Void> close() {
    return server.close();
  }

  /** Same shape as the gateway's error bodies, so that every HTTP answer is JSON. */
  private static void notFound(HttpServerRequest request, String message) {
    HealthHandler.send(request, 404, new JsonObject().put("error", "not_found").put("message", message));
  }
}
