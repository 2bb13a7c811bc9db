package io.github.switchboard.launcher;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.github.switchboard.launcher.settings.Settings;
import io.vertx.micrometer.PrometheusRequestHandler;
import io.vertx.micrometer.backends.BackendRegistries;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The small HTTP server of a clustered service process (chat, simulator), which otherwise serves
 * no HTTP: {@code GET /health/live}, {@code GET /health/ready} (200 or 503 with the service's
 * status as JSON) and {@code GET /metrics}, for probes and Prometheus. Started on
 * {@code SWITCHBOARD_HEALTH_PORT} (or the service's {@code healthPort} setting) when set.
 */
public final class HealthServer {

  public static final String PORT_KEY = "healthPort";
  public static final String PORT_ENV = "SWITCHBOARD_HEALTH_PORT";

  private static final Logger log = LoggerFactory.getLogger(HealthServer.class);

  private final HttpServer server;

  private HealthServer(HttpServer server) {
    this.server = server;
  }

  /**
   * The port from {@code SWITCHBOARD_HEALTH_PORT} or the config's {@code healthPort}, read
   * through {@link Settings}; 0 (none set, or blank) means no server.
   */
  public static int port(JsonObject config, Map<String, String> env) {
    return Settings.of(config, env).intIn(PORT_KEY, 0, 0, 65535);
  }

  /**
   * Starts the server of a service process when it runs clustered and a port is configured;
   * completes with null otherwise (embedded, the gateway beside it answers for the process).
   *
   * @param service  the service's name, reported in the readiness body
   * @param stopping true once the service is stopping (then not ready)
   * @param active   whether this instance holds the service's role
   */
  public static Future<HealthServer> startIfConfigured(Vertx vertx, JsonObject config, String service,
                                                      BooleanSupplier stopping, BooleanSupplier active) {
    int port;
    try {
      port = port(config, System.getenv());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    if (!vertx.isClustered() || port == 0) {
      return Future.succeededFuture();
    }
    return start(vertx, port, () -> new JsonObject().put("ready", !stopping.getAsBoolean()).put("service", service)
      .put("role", active.getAsBoolean() ? "active" : "standby"))
      .onSuccess(server -> log.info("{}: health and metrics on port {}", service, server.actualPort()));
  }

  /**
   * @param status the service's state; it is ready while {@code status.ready} is true
   */
  public static Future<HealthServer> start(Vertx vertx, int port, Supplier<JsonObject> status) {
    MeterRegistry shared = BackendRegistries.getDefaultNow();
    Handler<HttpServerRequest> metrics = shared instanceof PrometheusMeterRegistry prometheus
      ? PrometheusRequestHandler.create(prometheus) : null;
    return vertx.createHttpServer().requestHandler(request -> {
      switch (request.path()) {
        case "/health/live" -> json(request, 200, new JsonObject().put("status", "UP"));
        case "/health/ready" -> {
          JsonObject body = status.get();
          boolean ready = body.getBoolean("ready", false);
          json(request, ready ? 200 : 503, body.put("status", ready ? "UP" : "DOWN"));
        }
        case "/metrics" -> {
          if (metrics != null) {
            metrics.handle(request);
          } else {
            json(request, 404, new JsonObject().put("error", "not_found").put("message", "metrics are not enabled"));
          }
        }
        default -> json(request, 404, new JsonObject().put("error", "not_found").put("message", "no resource at " + request.path()));
      }
    }).listen(port).map(HealthServer::new);
  }

  public int actualPort() {
    return server.actualPort();
  }

  public Future<Void> close() {
    return server.close();
  }

  private static void json(HttpServerRequest request, int status, JsonObject body) {
    request.response().setStatusCode(status).putHeader("content-type", "application/json; charset=utf-8").end(body.encode());
  }
}
