package io.github.switchboard.gateway.admission;

import io.github.switchboard.gateway.auth.Principal;
import io.github.switchboard.gateway.auth.TokenAuthenticator;
import io.github.switchboard.gateway.metrics.GatewayStats;
import io.github.switchboard.gateway.proxy.Backend;
import io.github.switchboard.gateway.proxy.ConnectHook;
import io.github.switchboard.protocol.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;

import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Whether a WebSocket upgrade may go ahead: every check, in one fixed order (docs/protocol.md
 * section 2, "Opening a socket", lists the same order), the cheap ones first and the token,
 * which may read a key, last:
 *
 * <ol>
 *   <li>the gateway is not draining: else 503 {@code service_unavailable}</li>
 *   <li>the gateway is not cut off from the cluster ({@code ClusterWatch}): else 503
 *   {@code service_unavailable}</li>
 *   <li>the request is a WebSocket upgrade: else 400 {@code invalid_field}</li>
 *   <li>the page's {@code Origin} is allowed ({@link OriginCheck}): else 403 {@code forbidden}</li>
 *   <li>the token, when auth is on and the upgrade carries one ({@link TokenAuthenticator}): else
 *   401 {@code unauthorized}; without one, the backend's connect hook when configured
 *   ({@link ConnectHook}): its refusal (401 {@code unauthorized} or 403 {@code forbidden}, with its
 *   reason), or 502/503/504 when it cannot answer; with no user from either, the connection is
 *   anonymous if {@code auth.anonymous} allows it, else 401</li>
 *   <li>for an endpoint tied to a group, the token allows that group (and publishing to it when
 *   the endpoint publishes): else 403 {@code forbidden}</li>
 * </ol>
 *
 * <p>Each refusal is counted under its error code (except draining and a plain request, which
 * are not a client's fault or choice). An endpoint's path (the chat room) is checked before
 * all of these, by the route. The connection limits ({@code maxConnections},
 * {@code maxConnectionsPerIp}) were applied earlier still, when the TCP connection was accepted
 * (transport's {@code HttpConnectionGuard}).
 */
public final class Admission {

  private final BooleanSupplier draining;
  private final BooleanSupplier cutOff;
  private final OriginCheck origins;
  private final TokenAuthenticator authenticator;
  private final ConnectHook connectHook;
  private final GatewayStats stats;

  public Admission(BooleanSupplier draining, BooleanSupplier cutOff, OriginCheck origins,
                   TokenAuthenticator authenticator, ConnectHook connectHook, GatewayStats stats) {
    this.connectHook = connectHook;
    this.draining = draining;
    this.cutOff = cutOff;
    this.origins = origins;
    this.authenticator = authenticator;
    this.stats = stats;
  }

  /**
   * Runs the checks for an upgrade to an endpoint tied to {@code group} (null for none).
   *
   * @return the token's principal (null for an anonymous connection), or a failed future with
   *     the {@link Refusal}
   */
  public Future<Principal> admit(HttpServerRequest request, String group, boolean publishes) {
    return admit(request, group, publishes, true);
  }

  /**
   * The same checks for an HTTP stream (Server-Sent Events, JSON lines), which is a plain GET:
   * no upgrade to check, everything else alike.
   */
  public Future<Principal> admitStream(HttpServerRequest request) {
    return admit(request, null, false, false);
  }

  private Future<Principal> admit(HttpServerRequest request, String group, boolean publishes, boolean upgrade) {
    if (draining.getAsBoolean()) {
      return Future.failedFuture(new Refusal(503, ErrorCode.SERVICE_UNAVAILABLE, "gateway is shutting down"));
    }
    if (cutOff.getAsBoolean()) {
      return refused(503, ErrorCode.SERVICE_UNAVAILABLE, "gateway is cut off from the cluster; connect to another gateway",
        Map.of());
    }
    if (upgrade && !request.canUpgradeToWebSocket()) {
      return Future.failedFuture(new Refusal(400, ErrorCode.INVALID_FIELD, "this path expects a WebSocket upgrade"));
    }
    if (!origins.allows(request)) {
      return refused(403, ErrorCode.FORBIDDEN, "origin not allowed", Map.of());
    }
    if (connectHook.enabled() && !authenticator.verifiesToken(request)) {
      return connectHook.ask(request).compose(this::fromBackend)
        .compose(principal -> allowed(principal, group, publishes));
    }
    return authenticator.authenticate(request).transform(ar -> {
      if (ar.failed()) {
        String message = ar.cause() instanceof TokenAuthenticator.AuthException ? ar.cause().getMessage() : "authentication failed";
        return refused(401, ErrorCode.UNAUTHORIZED, message, Map.of("WWW-Authenticate", "Bearer"));
      }
      return allowed(ar.result(), group, publishes);
    });
  }

  /** The user the connect hook named, anonymous, or the refusal it (or its silence) means. */
  private Future<Principal> fromBackend(ConnectHook.Outcome outcome) {
    Backend.Reply failure = outcome.failure();
    if (failure != null && failure.refused()) {
      int status = ConnectHook.refusalStatus(failure);
      stats.error(status == 401 ? ErrorCode.UNAUTHORIZED : ErrorCode.FORBIDDEN);
      return Future.failedFuture(new Refusal(status, status == 401 ? ErrorCode.UNAUTHORIZED : ErrorCode.FORBIDDEN,
        failure.message(), Map.of(), failure.reason()));
    }
    if (failure != null) {
      return refused(ConnectHook.failureStatus(failure), failure.error(), "the backend could not admit this connection: "
        + failure.message(), Map.of());
    }
    if (outcome.user() == null) {
      return authenticator.anonymousAllowed() ? Future.succeededFuture(null)
        : refused(401, ErrorCode.UNAUTHORIZED, "a token, or a user the backend's connect hook names, is required",
          Map.of("WWW-Authenticate", "Bearer"));
    }
    return Future.succeededFuture(Principal.fromBackend(outcome.user(), outcome.groups(), outcome.meta()));
  }

  /** For an endpoint tied to a group, the principal (if any) must allow it. */
  private Future<Principal> allowed(Principal principal, String group, boolean publishes) {
    if (principal != null && group != null
      && !(principal.maySubscribe(group) && (!publishes || principal.mayPublish(group)))) {
      return refused(403, ErrorCode.FORBIDDEN, "the token does not allow group '" + group + "'", Map.of());
    }
    return Future.succeededFuture(principal);
  }

  private <T> Future<T> refused(int status, ErrorCode code, String message, Map<String, String> headers) {
    stats.error(code);
    return Future.failedFuture(new Refusal(status, code, message, headers));
  }
}
