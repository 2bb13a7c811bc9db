package io.github.switchboard.gateway;

import io.github.switchboard.chat.ChatVerticle;
import io.github.switchboard.gateway.auth.Principal;
import io.github.switchboard.gateway.auth.TokenAuthenticator;
import io.github.switchboard.gateway.fanout.GroupRegistry;
import io.github.switchboard.gateway.metrics.EventLoopProbe;
import io.github.switchboard.gateway.metrics.GatewayStats;
import io.github.switchboard.gateway.metrics.Registries;
import io.github.switchboard.gateway.presence.PresenceTracker;
import io.github.switchboard.gateway.socket.Endpoint;
import io.github.switchboard.gateway.http.HealthRoutes;
import io.github.switchboard.gateway.http.Json;
import io.github.switchboard.gateway.http.PublishRoute;
import io.github.switchboard.gateway.http.Readiness;
import io.github.switchboard.gateway.http.ServiceRoutes;
import io.github.switchboard.gateway.http.StatsRoute;
import io.github.switchboard.gateway.limit.OriginCheck;
import io.github.switchboard.gateway.limit.RateLimiter;
import io.github.switchboard.gateway.limit.SlowConsumerPolicy;
import io.github.switchboard.gateway.socket.ChatSocket;
import io.github.switchboard.gateway.socket.FrameWriter;
import io.github.switchboard.gateway.socket.HubSocket;
import io.github.switchboard.gateway.socket.KeepAlive;
import io.github.switchboard.gateway.socket.MultiplexSocket;
import io.github.switchboard.gateway.socket.RandomSocket;
import io.github.switchboard.gateway.service.ChatClient;
import io.github.switchboard.gateway.service.ScoresClient;
import io.github.switchboard.gateway.socket.ScoresSocket;
import io.github.switchboard.gateway.socket.ScoresView;
import io.github.switchboard.gateway.socket.Session;
import io.github.switchboard.gateway.socket.SocketAcceptor;
import io.github.switchboard.gateway.socket.SocketAdapter;
import io.github.switchboard.gateway.socket.SocketCloser;
import io.github.switchboard.gateway.socket.Sessions;
import io.github.switchboard.protocol.ErrorCode;
import io.github.switchboard.protocol.Groups;
import io.github.switchboard.simulator.SimulatorVerticle;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * Wiring only: options, then the parts, then the router, then the server. In embedded mode (not
 * clustered) it first deploys the chat and simulator services in the same JVM.
 */
public class GatewayVerticle extends VerticleBase {

  /** Close code sent to every socket when the gateway stops, so clients reconnect elsewhere. */
  public static final short GOING_AWAY = 1001;
  /** Classpath folder of the pages and the JS client. */
  public static final String WEBROOT = "webroot";
  private static final Logger log = LoggerFactory.getLogger(GatewayVerticle.class);

  private GatewayOptions options;
  private final Readiness readiness = new Readiness();
  private Sessions sessions;
  private GroupRegistry groups;
  private KeepAlive keepAlive;
  private SocketCloser closer;
  private EventLoopProbe eventLoopProbe;
  private OriginCheck originCheck;
  private TokenAuthenticator authenticator;
  private GroupPolicy policy;
  private PresenceTracker presence;
  private GatewayStats stats;
  private HttpServer server;

  @Override
  public Future<?> start() {
    try {
      options = GatewayOptions.from(config(), System.getenv());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new IllegalArgumentException("invalid gateway config: " + e.getMessage(), e));
    }
    PrometheusMeterRegistry registry = Registries.forGateway();
    GatewayStats stats = new GatewayStats(registry);
    closer = new SocketCloser(vertx, SocketCloser.DEFAULT_GRACE_MS);
    FrameWriter writer = new FrameWriter(stats, new SlowConsumerPolicy(closer, options.slowConsumerCloseMs()),
      options.flushDelayMs());
    sessions = new Sessions();
    groups = new GroupRegistry(vertx, writer, stats, vertx.isClustered() ? options.registrationSettleMs() : 0);
    for (Endpoint endpoint : Endpoint.values()) {
      Gauge.builder("switchboard.connections.open", sessions, s -> s.size(endpoint))
        .description("Open WebSocket connections").tag("endpoint", endpoint.path()).strongReference(true).register(registry);
    }
    Gauge.builder("switchboard.group.consumers", groups, GroupRegistry::consumerCount)
      .description("Event bus consumers of this gateway: one per group with local sockets")
      .strongReference(true).register(registry);
    eventLoopProbe = new EventLoopProbe(vertx, registry);
    ChatClient chatClient = new ChatClient(vertx.eventBus(), options.serviceTimeoutMs());
    ScoresClient scoresClient = new ScoresClient(vertx.eventBus(), options.serviceTimeoutMs());
    SocketAcceptor acceptor = new SocketAcceptor(sessions, groups, writer, stats, closer,
      new RateLimiter(options.rateLimitPerSecond(), options.rateLimitBurst()), options);
    keepAlive = new KeepAlive(vertx, sessions, closer, acceptor, options.pingIntervalMs());
    originCheck = new OriginCheck(options.allowedOrigins());
    try {
      authenticator = new TokenAuthenticator(vertx, options.auth());
    } catch (RuntimeException e) {
      return Future.failedFuture(new IllegalArgumentException("invalid auth config: " + e.getMessage(), e));
    }
    policy = new GroupPolicy(options.groups());
    this.stats = stats;

    Router router = Router.router(vertx);
    HealthRoutes.mount(router, readiness);
    router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
    StatsRoute.mount(router, vertx, sessions, groups, stats);
    ServiceRoutes.mount(router, scoresClient, chatClient);
    PublishRoute.mount(router, vertx.eventBus(), chatClient, policy, options.apiKey(), options.maxPublishBytes());
    webSocket(router, "/ws/hub", acceptor, new HubSocket(groups, vertx.eventBus()));
    presence = new PresenceTracker(vertx, options.presenceGroups(), options.presenceTtlMs());
    groups.listener(presence);
    webSocket(router, "/ws", acceptor, new MultiplexSocket(groups, policy, writer, vertx.eventBus(), chatClient, presence,
      options.maxSubscriptions()));
    webSocket(router, "/ws/scores", acceptor, new ScoresSocket(new ScoresView(vertx, groups, scoresClient, writer), writer));
    webSocket(router, "/ws/random", acceptor, new RandomSocket(groups, writer));
    ChatSocket chat = new ChatSocket(groups, writer, chatClient);
    router.get("/ws/chat/:room").handler(ctx -> {
      if (!Groups.isValidRoom(ctx.pathParam("room"))) {
        Json.error(ctx, 400, ErrorCode.INVALID_FIELD, "room must match [A-Za-z0-9_-]{1," + Groups.MAX_ROOM_LENGTH + "}");
        return;
      }
      upgrade(ctx, acceptor, chat);
    });
    router.get("/ws/chat/*").handler(ctx ->
      Json.error(ctx, 400, ErrorCode.INVALID_FIELD, "room must match [A-Za-z0-9_-]{1," + Groups.MAX_ROOM_LENGTH + "}"));

    // The web pages and the JS client; then a JSON 404 for anything else.
    // No long-lived cache headers: after a deploy, browsers must pick up the new pages and client.
    router.route().handler(StaticHandler.create(WEBROOT).setIndexPage("index.html").setCachingEnabled(false));
    router.route().last().handler(ctx ->
      Json.error(ctx, 404, ErrorCode.NOT_FOUND, "no resource at " + ctx.request().path()));

    HttpServerOptions serverOptions = new HttpServerOptions()
      .setHost(options.host())
      .setPort(options.port())
      // The sockets are served by our own frame handler (socket/SocketAcceptor), which frames
      // each message once for all sockets: no per-socket compression may be negotiated, so
      // Vert.x's extension handler must not answer the browsers' permessage-deflate offer.
      .setPerMessageWebSocketCompressionSupported(false)
      .setPerFrameWebSocketCompressionSupported(false)
      // Every response and socket write of the gateway happens on its event loop, so the
      // HTTP connection can write directly instead of through a cross-thread queue; that
      // queue preallocates a 1024-slot array (~4.7 KB) that each WebSocket kept for its life.
      .setStrictThreadMode(true);

    return deployEmbeddedServices()
      .compose(v -> vertx.createHttpServer(serverOptions).requestHandler(router).listen())
      .onSuccess(s -> {
        server = s;
        keepAlive.start();
        eventLoopProbe.start();
        presence.start(groups);
        readiness.listening();
        log.info("Gateway listening on {}:{} ({})", options.host(), s.actualPort(),
          vertx.isClustered() ? "clustered" : "embedded");
      });
  }

  /**
   * Stops accepting, tells every socket to go elsewhere (1001), waits for them to close up to
   * the drain time, and drops this gateway's group consumers.
   */
  @Override
  public Future<?> stop() {
    readiness.draining();
    if (keepAlive != null) {
      keepAlive.stop();
      eventLoopProbe.stop();
      presence.stop();
    }
    if (sessions == null) {
      return Future.succeededFuture();
    }
    log.info("Gateway draining: closing {} sockets with {}", sessions.size(), GOING_AWAY);
    for (Session session : sessions.all()) {
      closer.close(session, GOING_AWAY, "server shutting down");
    }
    Promise<Void> drained = Promise.promise();
    long deadline = System.currentTimeMillis() + options.drainTimeoutMs();
    awaitDrained(drained, deadline);
    return drained.future()
      .compose(v -> server == null ? Future.succeededFuture() : server.shutdown(1, TimeUnit.SECONDS))
      .compose(v -> groups.closeAll());
  }

  /** The port the server listens on (useful with port 0). */
  public int actualPort() {
    return server.actualPort();
  }

  private void awaitDrained(Promise<Void> drained, long deadline) {
    if (sessions.size() == 0 || System.currentTimeMillis() >= deadline) {
      if (sessions.size() > 0) {
        log.warn("Drain time over with {} sockets still open", sessions.size());
      }
      drained.complete();
      return;
    }
    vertx.setTimer(50, id -> awaitDrained(drained, deadline));
  }

  private void webSocket(Router router, String path, SocketAcceptor acceptor, SocketAdapter adapter) {
    router.get(path).handler(ctx -> upgrade(ctx, acceptor, adapter));
  }

  private void upgrade(RoutingContext ctx, SocketAcceptor acceptor, SocketAdapter adapter) {
    if (readiness.isDraining()) {
      Json.error(ctx, 503, ErrorCode.SERVICE_UNAVAILABLE, "gateway is shutting down");
      return;
    }
    if (!ctx.request().canUpgradeToWebSocket()) {
      Json.error(ctx, 400, ErrorCode.INVALID_FIELD, "this path expects a WebSocket upgrade");
      return;
    }
    if (!originCheck.allows(ctx.request())) {
      stats.error(ErrorCode.FORBIDDEN);
      Json.error(ctx, 403, ErrorCode.FORBIDDEN, "origin not allowed");
      return;
    }
    if (sessions.size() >= options.maxConnections()) {
      stats.error(ErrorCode.SERVICE_UNAVAILABLE);
      Json.error(ctx, 503, ErrorCode.SERVICE_UNAVAILABLE, "gateway is full, try another");
      return;
    }
    var remote = ctx.request().remoteAddress();
    if (remote != null && sessions.fromAddress(remote.host()) >= options.maxConnectionsPerIp()) {
      stats.error(ErrorCode.RATE_LIMITED);
      Json.error(ctx, 429, ErrorCode.RATE_LIMITED, "too many connections from this address");
      return;
    }
    authenticator.authenticate(ctx.request()).onComplete(ar -> {
      if (ar.failed()) {
        stats.error(ErrorCode.UNAUTHORIZED);
        String message = ar.cause() instanceof TokenAuthenticator.AuthException ? ar.cause().getMessage() : "authentication failed";
        ctx.response().putHeader("WWW-Authenticate", "Bearer");
        Json.error(ctx, 401, ErrorCode.UNAUTHORIZED, message);
        return;
      }
      Principal principal = ar.result();
      String group = seedGroup(adapter, ctx);
      if (principal != null && group != null && !(principal.maySubscribe(group)
        && (!seedPublishes(adapter) || principal.mayPublish(group)))) {
        stats.error(ErrorCode.FORBIDDEN);
        Json.error(ctx, 403, ErrorCode.FORBIDDEN, "the token does not allow group '" + group + "'");
        return;
      }
      acceptor.accept(ctx, adapter, principal);
    });
  }

  /** The group behind a seed endpoint, which its token must allow; null for {@code /ws}. */
  private static String seedGroup(SocketAdapter adapter, RoutingContext ctx) {
    return switch (adapter.endpoint()) {
      case HUB -> Groups.HUB;
      case SCORES -> Groups.SCORES;
      case RANDOM -> Groups.RANDOM;
      case CHAT -> Groups.chat(ctx.pathParam("room"));
      case MULTIPLEX -> null;
    };
  }

  private static boolean seedPublishes(SocketAdapter adapter) {
    return adapter.endpoint() == Endpoint.HUB || adapter.endpoint() == Endpoint.CHAT;
  }

  private Future<Void> deployEmbeddedServices() {
    if (vertx.isClustered() || !options.embeddedServices()) {
      return Future.succeededFuture();
    }
    return vertx.deployVerticle(new ChatVerticle(), new DeploymentOptions().setConfig(options.chat()))
      .compose(id -> vertx.deployVerticle(new SimulatorVerticle(), new DeploymentOptions().setConfig(options.simulator())))
      .onSuccess(id -> log.info("Embedded mode: chat and simulator services deployed in this JVM"))
      .mapEmpty();
  }
}
