package io.github.switchboard.launcher.health;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * Answers {@code /health/live} and {@code /health/ready} the same way in every process, so that
 * probes, load balancers and people read one body shape:
 *
 * <pre>
 * {"status":"UP"|"STARTING"|"UNREACHABLE"|"DRAINING","service":"gateway"|"chat"|"simulator", ...details}
 * </pre>
 *
 * <ul>
 *   <li>{@code /health/ready}: the {@link Readiness} status; 200 only when {@code UP}, 503
 *   otherwise.</li>
 *   <li>{@code /health/live}: always 200 with status {@code UP} while the process can answer at
 *   all; a draining process is still alive and must not be restarted for draining.</li>
 * </ul>
 *
 * <p>The details (the chat and simulator add {@code "role":"active"|"standby"}) are asked for on
 * every request and cannot override {@code status} or {@code service}.
 *
 * <p>Works on a bare {@link HttpServerRequest}, so both the gateway's router and the services'
 * small server use it.
 */
public final class HealthHandler {

  public static final String LIVE_PATH = "/health/live";
  public static final String READY_PATH = "/health/ready";

  private final String service;
  private final Readiness readiness;
  private final Supplier<JsonObject> details;

  public HealthHandler(String service, Readiness readiness, Supplier<JsonObject> details) {
    this.service = Objects.requireNonNull(service, "service");
    this.readiness = Objects.requireNonNull(readiness, "readiness");
    this.details = details == null ? JsonObject::new : details;
  }

  public HealthHandler(String service, Readiness readiness) {
    this(service, readiness, null);
  }

  public String service() {
    return service;
  }

  /** Answers the request if its path is one of the two health paths; false otherwise. */
  public boolean handle(HttpServerRequest request) {
    switch (request.path()) {
      case LIVE_PATH -> live(request);
      case READY_PATH -> ready(request);
      default -> {
        return false;
      }
    }
    return true;
  }

  public void live(HttpServerRequest request) {
    send(request, 200, body(HealthStatus.UP));
  }

  public void ready(HttpServerRequest request) {
    HealthStatus status = readiness.status();
    send(request, status == HealthStatus.UP ? 200 : 503, body(status));
  }

  /** The body for a status: details first, so that they cannot replace the two common fields. */
  public JsonObject body(HealthStatus status) {
    JsonObject extra = details.get();
    JsonObject body = extra == null ? new JsonObject() : extra.copy();
    return body.put("status", status.name()).put("service", service);
  }

  static void send(HttpServerRequest request, int code, JsonObject body) {
    request.response().setStatusCode(code).putHeader("content-type", "application/json; charset=utf-8")
      .end(body.encode());
  }
}
