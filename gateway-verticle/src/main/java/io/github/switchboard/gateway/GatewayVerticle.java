package io.github.switchboard.gateway;

import io.github.switchboard.chat.ChatVerticle;
import io.github.switchboard.gateway.admission.Admission;
import io.github.switchboard.gateway.api.ControlChannel;
import io.github.switchboard.gateway.api.GatewayDirectory;
import io.github.switchboard.gateway.api.Idempotency;
import io.github.switchboard.gateway.api.LocalCommands;
import io.github.switchboard.gateway.api.Publisher;
import io.github.switchboard.gateway.endpoint.EventBusBridge;
import io.github.switchboard.gateway.endpoint.GroupPublish;
import io.github.switchboard.gateway.http.AdminRoutes;
import io.github.switchboard.gateway.http.ApiAccess;
import io.github.switchboard.gateway.http.BridgeRoute;
import io.github.switchboard.gateway.http.Cors;
import io.github.switchboard.gateway.http.ServerApiRoutes;
import io.github.switchboard.gateway.admission.OriginCheck;
import io.github.switchboard.gateway.auth.GroupPolicy;
import io.github.switchboard.gateway.auth.TokenAuthenticator;
import io.github.switchboard.coordination.ClusterQuorum;
import io.github.switchboard.gateway.cluster.ClusterWatch;
import io.github.switchboard.gateway.config.GatewayOptions;
import io.github.switchboard.gateway.endpoint.ChatEndpoint;
import io.github.switchboard.gateway.endpoint.HubEndpoint;
import io.github.switchboard.gateway.endpoint.MultiplexEndpoint;
import io.github.switchboard.gateway.endpoint.RandomEndpoint;
import io.github.switchboard.gateway.endpoint.ScoresEndpoint;
import io.github.switchboard.gateway.endpoint.ScoresView;
import io.github.switchboard.gateway.fanout.GroupRegistry;
import io.github.switchboard.gateway.http.HealthRoutes;
import io.github.switchboard.gateway.http.JsonResponses;
import io.github.switchboard.gateway.http.OpenApiRoute;
import io.github.switchboard.gateway.http.PublishRoute;
import io.github.switchboard.gateway.http.ServiceRoutes;
import io.github.switchboard.gateway.http.StreamRoutes;
import io.github.switchboard.gateway.http.StatsRoute;
import io.github.switchboard.gateway.http.UpgradeRoute;
import io.github.switchboard.gateway.metrics.EventLoopProbe;
import io.github.switchboard.gateway.metrics.GatewayStats;
import io.github.switchboard.gateway.metrics.Registries;
import io.github.switchboard.gateway.presence.PresenceTracker;
import io.github.switchboard.gateway.service.ChatClient;
import io.github.switchboard.gateway.service.ScoresClient;
import io.github.switchboard.coordination.ClusterStorage;
import io.github.switchboard.coordination.history.HazelcastStreamHistory;
import io.github.switchboard.coordination.history.HistoryFileOptions;
import io.github.switchboard.coordination.history.LocalStreamHistory;
import io.github.switchboard.coordination.history.StreamHistory;
import io.github.switchboard.gateway.stream.ChatRoomStreams;
import io.github.switchboard.gateway.stream.PositionCheck;
import io.github.switchboard.gateway.stream.StoredStreams;
import io.github.switchboard.gateway.stream.StreamGroups;
import io.github.switchboard.gateway.stream.StreamIntake;
import io.github.switchboard.gateway.stream.Streams;
import io.github.switchboard.gateway.session.Endpoint;
import io.github.switchboard.gateway.session.EndpointHandler;
import io.github.switchboard.gateway.session.SessionLifecycle;
import io.github.switchboard.gateway.session.Sessions;
import io.github.switchboard.gateway.session.StreamSessions;
import io.github.switchboard.gateway.transport.FrameWriter;
import io.github.switchboard.gateway.transport.HttpConnectionGuard;
import io.github.switchboard.gateway.transport.InboundPolicy;
import io.github.switchboard.gateway.transport.KeepAlive;
import io.github.switchboard.gateway.transport.OpenConnections;
import io.github.switchboard.gateway.transport.PerMessageDeflate;
import io.github.switchboard.gateway.transport.SocketAcceptor;
import io.github.switchboard.gateway.transport.StreamAcceptor;
import io.github.switchboard.gateway.transport.SocketCloser;
import io.github.switchboard.launcher.health.Readiness;
import io.github.switchboard.protocol.ErrorCode;
import io.github.switchboard.simulator.SimulatorVerticle;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.github.switchboard.gateway.proxy.Backend;
import io.github.switchboard.gateway.proxy.ConnectHook;
import io.github.switchboard.gateway.proxy.GroupHooks;
import io.github.switchboard.gateway.proxy.RpcProxy;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Wiring only: options, then the layers from the bottom up (transport, sessions, fan-out,
 * endpoints, admission), then the routes, then the server; the stop order in {@link #stop}. In
 * embedded mode (not clustered) it first deploys the chat and simulator services in the same
 * JVM. docs/architecture.md draws the layers.
 */
public class GatewayVerticle extends VerticleBase {

  /** Classpath folder of the pages and the JS client. */
  public static final String WEBROOT = "webroot";
  /** The cluster map of the stream groups' histories (chat rooms have the chat service's). */
  public static final String STREAMS_MAP = "switchboard.streams";
  private static final Logger log = LoggerFactory.getLogger(GatewayVerticle.class);

  private GatewayOptions options;
  /** STARTING until the server listens, DRAINING once stopping (/health/ready). */
  private final Readiness readiness = new Readiness();
  private Sessions sessions;
  private EventBusBridge bridge;
  private GroupRegistry groups;
  private KeepAlive keepAlive;
  private SocketCloser closer;
  private EventLoopProbe eventLoopProbe;
  private PresenceTracker presence;
  private Streams streams;
  private PositionCheck positionCheck;
  private StreamIntake streamIntake;
  private HttpServer server;
  private OpenConnections openConnections;
  private ClusterWatch clusterWatch;
  private RpcProxy rpcProxy;
  private Backend backend;
  private ControlChannel control;

  @Override
  public Future<?> start() {
    TokenAuthenticator authenticator;
    try {
      options = GatewayOptions.from(config(), System.getenv());
      authenticator = new TokenAuthenticator(vertx, options.auth());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new IllegalArgumentException("invalid gateway config: " + e.getMessage(), e));
    } catch (RuntimeException e) {
      return Future.failedFuture(new IllegalArgumentException("invalid auth config: " + e.getMessage(), e));
    }
    return streamStore().compose(store -> start(authenticator, store));
  }

  private Future<?> start(TokenAuthenticator authenticator, StreamHistory store) {
    PrometheusMeterRegistry registry = Registries.forGateway();
    GatewayStats stats = new GatewayStats(registry);
    eventLoopProbe = new EventLoopProbe(vertx, registry);
    EventBus eventBus = vertx.eventBus();

    // Transport: one socket at a time, Netty and Vert.x internals.
    openConnections = new OpenConnections();
    closer = new SocketCloser(vertx, stats, SocketCloser.DEFAULT_GRACE_MS);
    FrameWriter writer = new FrameWriter(stats, closer, options.socket().flushDelayMs(), options.socket().slowConsumerCloseMs(),
      options.limits().seedErrorIntervalMs(), new PerMessageDeflate(options.socket(), stats));
    InboundPolicy inbound = new InboundPolicy(writer, closer, options.socket(), options.limits());
    SocketAcceptor acceptor = new SocketAcceptor(inbound, writer, options.socket());
    StreamAcceptor streamAcceptor = new StreamAcceptor(inbound, writer, options.socket());

    // Sessions and groups.
    sessions = new Sessions();
    StreamSessions streamSessions = new StreamSessions();
    keepAlive = new KeepAlive(vertx, sessions::all, closer, inbound, writer, options.socket().pingIntervalMs());
    ChatClient chatClient = new ChatClient(eventBus, options.services().timeoutMs(), registry);
    streams = new Streams(new StreamGroups(options.access().groups()), new StoredStreams(store),
      new ChatRoomStreams(chatClient), eventBus);
    groups = new GroupRegistry(vertx, writer, stats, streams, options.streams().gapWaitMs());
    positionCheck = new PositionCheck(vertx, groups::cursors, options.streams().positionCheckMs());
    streamIntake = new StreamIntake(streams);
    presence = new PresenceTracker(vertx, options.presence());
    groups.listener(presence);

    // Endpoints.
    GroupPolicy policy = new GroupPolicy(options.access().groups());
    ScoresClient scoresClient = new ScoresClient(eventBus, options.services().timeoutMs());
    backend = new Backend(vertx, options.proxy(), registry);
    rpcProxy = new RpcProxy(options.proxy(), backend);
    GroupHooks hooks = new GroupHooks(options.proxy(), backend);
    MultiplexEndpoint multiplex = new MultiplexEndpoint(groups, policy, writer, eventBus, chatClient, streams, presence,
      rpcProxy, hooks, options.limits().maxSubscriptions(), options.api().personalGroups());
    List<EndpointHandler> endpoints = List.of(
      new HubEndpoint(groups, eventBus, streams, writer),
      multiplex,
      new ScoresEndpoint(new ScoresView(vertx, groups, scoresClient, writer), writer),
      new RandomEndpoint(groups, writer, eventBus, options.services().timeoutMs()),
      new ChatEndpoint(groups, writer, chatClient, hooks));

    // Routes: health, metrics, REST, publish, the sockets, then the pages and a JSON 404.
    Router router = Router.router(vertx);
    // Pages of this machine at any port (a seed app's dev server) by default when embedded only.
    boolean localhostOrigins = options.access().allowLocalhostOrigins() != null ? options.access().allowLocalhostOrigins()
      : !vertx.isClustered();
    OriginCheck origins = new OriginCheck(options.access().allowedOrigins(), localhostOrigins);
    Cors.mount(router, origins);
    HealthRoutes.mount(router, readiness);
    JsonResponses.read(router, "/metrics").handler(PrometheusScrapingHandler.create(registry));
    JsonResponses.onlyAllow(router, "/metrics", HttpMethod.GET, HttpMethod.HEAD);
    StatsRoute.mount(router, vertx, sessions, openConnections, groups, stats);
    ServiceRoutes.mount(router, scoresClient, chatClient);
    // The server API: every gateway takes commands for its own sockets, and answers a call for
    // the whole cluster by asking the others.
    GatewayDirectory directory = new GatewayDirectory(vertx, sessions.gatewayId(), new JsonObject()
      .put("listenHost", options.server().host()).put("clustered", vertx.isClustered()));
    control = new ControlChannel(vertx, directory,
      new LocalCommands(sessions, groups, multiplex, closer, streamSessions, stats, eventLoopProbe),
      options.api().gatherTimeoutMs());
    ApiAccess access = new ApiAccess(options.access().apiKey(), options.api().adminSessionMs(), !vertx.isClustered(),
      options.limits().maxPublishBytes(),
      () -> clusterWatch.cutOff());
    PublishRoute.mount(router, access, new Publisher(eventBus, chatClient, streams),
      new Idempotency(vertx, options.api().idempotencyWindowMs()), policy, options.api().maxBroadcastGroups());
    ServerApiRoutes.mount(router, vertx, access, streams, presence, control, options.api().maxHistoryLimit(),
      options.api().maxListedGroups());
    OpenApiRoute.mount(router);
    // The operators' page, on the same API: before the public pages, which must never serve it.
    AdminRoutes.mount(router, access);
    clusterWatch = new ClusterWatch(vertx, ClusterStorage.hazelcast(vertx).map(ClusterQuorum::of)
      .orElseGet(ClusterQuorum::embedded), readiness, sessions, closer);
    Admission admission = new Admission(readiness::isDraining, clusterWatch::cutOff, origins,
      authenticator, new ConnectHook(options.proxy(), backend), stats);
    UpgradeRoute upgrades = new UpgradeRoute(admission, acceptor, sessions);
    Map<Endpoint, SessionLifecycle> lifecycles = new EnumMap<>(Endpoint.class);
    for (EndpointHandler endpoint : endpoints) {
      SessionLifecycle lifecycle = new SessionLifecycle(sessions, endpoint, stats.endpoint(endpoint.endpoint().path()), writer,
        groups::leaveAll);
      lifecycles.put(endpoint.endpoint(), lifecycle);
      upgrades.mount(router, lifecycle);
    }
    // Where WebSocket cannot pass: /ws's protocol over Server-Sent Events or JSON lines, frames up by POST.
    new StreamRoutes(admission, streamAcceptor, sessions, streamSessions, lifecycles.get(Endpoint.MULTIPLEX), writer, control,
      options.limits().maxSubscriptions()).mount(router, options.limits().maxPublishBytes());
    // Vert.x's own convention for browsers on the event bus, mapped onto groups.
    if (options.server().eventBusBridge()) {
      bridge = new EventBusBridge(groups, policy, new GroupPublish(eventBus, chatClient, streams), hooks, stats,
        options.socket().maxFrameBytes(), options.limits());
      BridgeRoute.mount(vertx, router, admission, sessions, bridge, options.limits().maxPublishBytes());
    }
    // The seed apps' own URLs: the random stream's Django route, and the live scores client's root.
    upgrades.alias(router, RandomEndpoint.SEED_PATH, lifecycles.get(Endpoint.RANDOM));
    Endpoint root = switch (options.server().rootEndpoint()) {
      case "scores" -> Endpoint.SCORES;
      case "random" -> Endpoint.RANDOM;
      case "hub" -> Endpoint.HUB;
      case "ws" -> Endpoint.MULTIPLEX;
      default -> null;
    };
    if (root != null) {
      upgrades.mountRoot(router, lifecycles.get(root));
    }
    // No long-lived cache headers: after a deploy, browsers must pick up the new pages and client.
    router.route().handler(StaticHandler.create(WEBROOT).setIndexPage("index.html").setCachingEnabled(false));
    router.route().last().handler(ctx ->
      JsonResponses.error(ctx, 404, ErrorCode.NOT_FOUND, "no resource at " + ctx.request().path()));

    gauges(registry);
    // Every TCP connection counts toward the connection limits from accept, upgraded or not.
    HttpConnectionGuard.Limits guard = new HttpConnectionGuard.Limits(openConnections, stats, options.server(),
      options.limits());
    return deployEmbeddedServices()
      .compose(v -> streamIntake.register(eventBus))
      .compose(v -> vertx.createHttpServer(serverOptions()).connectionHandler(guard::install).requestHandler(router).listen())
      .compose(s -> {
        server = s;
        directory.describe("port", s.actualPort());
        return control.start().map(s);
      })
      .onSuccess(s -> {
        keepAlive.start();
        positionCheck.start();
        eventLoopProbe.start();
        presence.start(groups);
        readiness.up();
        clusterWatch.start();
        log.info("Gateway listening on {}:{} ({})", options.server().host(), s.actualPort(),
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
    if (control != null) {
      // Not waited for: a cluster store that does not answer (a split) must not hold up the
      // drain; a missed removal expires with the entry's time to live.
      control.stop().onFailure(e -> log.warn("Gateway did not leave the gateway directory: {}", e.getMessage()));
    }
    if (clusterWatch != null) {
      clusterWatch.stop();
    }
    if (keepAlive != null) {
      keepAlive.stop();
      if (positionCheck != null) {
        positionCheck.stop();
      }
      eventLoopProbe.stop();
      presence.stop();
    }
    if (sessions == null) {
      return Future.succeededFuture();
    }
    if (bridge != null) {
      bridge.closeAll();
    }
    return sessions.drain(vertx, closer, options.server().drainTimeoutMs())
      .compose(v -> server == null ? Future.succeededFuture() : server.shutdown(1, TimeUnit.SECONDS))
      .compose(v -> groups.closeAll())
      .compose(v -> streamIntake.unregister())
      .eventually(() -> {
        if (backend != null) {
          backend.close();
        }
        // Waited for: the history file must be written and let go before a next start opens it.
        return streams == null ? Future.succeededFuture() : streams.close();
      });
  }

  /**
   * Where stream groups are numbered and kept: the cluster's map {@value #STREAMS_MAP} (on the
   * data members; written through to PostgreSQL when their launcher's config says so), or one
   * store for every gateway of this JVM when embedded (they share the event bus, so they must
   * share the numbering), kept in a file under {@code dataDir} unless
   * {@code persistHistory} is off (read back first, on a worker thread).
   */
  private Future<StreamHistory> streamStore() {
    int max = options.streams().maxStreams();
    return ClusterStorage.hazelcast(vertx)
      .<Future<StreamHistory>>map(hz -> Future.succeededFuture(new HazelcastStreamHistory(vertx, hz, STREAMS_MAP, max)))
      .orElseGet(() -> LocalStreamHistory.openShared(vertx, STREAMS_MAP, max, options.streams().historyFiles())
        .map(store -> store));
  }

  /** The port the server listens on (useful with port 0). */
  public int actualPort() {
    return server.actualPort();
  }

  private HttpServerOptions serverOptions() {
    return new HttpServerOptions()
      .setHost(options.server().host())
      .setPort(options.server().port())
      // The sockets are served by our own transport (transport/SocketAcceptor), which frames
      // (and compresses, PerMessageDeflate) each message once for all sockets: Vert.x's own
      // extension handler must not answer the browsers' permessage-deflate offer.
      .setPerMessageWebSocketCompressionSupported(false)
      .setPerFrameWebSocketCompressionSupported(false)
      // HTTP/1.1 only: nothing here is served better over cleartext HTTP/2, and an h2c upgrade
      // or prior-knowledge connection would bypass the limits written for HTTP/1 connections.
      .setHttp2ClearTextEnabled(false)
      // Every response and socket write of the gateway happens on its event loop, so the
      // HTTP connection can write directly instead of through a cross-thread queue; that
      // queue preallocates a 1024-slot array (~4.7 KB) that each WebSocket kept for its life.
      .setStrictThreadMode(true);
  }

  private void gauges(PrometheusMeterRegistry registry) {
    for (Endpoint endpoint : Endpoint.values()) {
      Gauge.builder("switchboard.connections.open", sessions, s -> s.size(endpoint))
        .description("Open WebSocket connections").tag("endpoint", endpoint.path()).strongReference(true).register(registry);
    }
    Gauge.builder("switchboard.group.consumers", groups, GroupRegistry::consumerCount)
      .description("Event bus consumers of this gateway: one per group with local sockets")
      .strongReference(true).register(registry);
  }

  private Future<Void> deployEmbeddedServices() {
    if (vertx.isClustered() || !options.services().embedded()) {
      return Future.succeededFuture();
    }
    // The chat rooms' history goes where the stream groups' goes (its own file, beside theirs).
    JsonObject chat = options.services().chat();
    HistoryFileOptions files = options.streams().historyFiles();
    if (files != null && !chat.containsKey("historyFiles")) {
      chat.put("historyFiles", new JsonObject().put("dir", files.dir().toString()).put("fsync", files.fsync()));
    }
    return vertx.deployVerticle(new ChatVerticle(), new DeploymentOptions().setConfig(chat))
      .compose(id -> vertx.deployVerticle(new SimulatorVerticle(), new DeploymentOptions().setConfig(options.services().simulator())))
      .onSuccess(id -> log.info("Embedded mode: chat and simulator services deployed in this JVM"))
      .mapEmpty();
  }
}
