package io.github.switchboard.gateway;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;

import java.util.function.BooleanSupplier;

/** A real gateway on a free port in the test's Vert.x, and helpers to talk to it. */
public final class GatewayHarness implements AutoCloseable {

  public final Vertx vertx;
  public final int port;
  public final String deploymentId;
  private final WebClient http;

  private GatewayHarness(Vertx vertx, int port, String deploymentId) {
    this.vertx = vertx;
    this.port = port;
    this.deploymentId = deploymentId;
    this.http = WebClient.create(vertx);
  }

  public static GatewayHarness start(Vertx vertx, JsonObject config) {
    GatewayVerticle verticle = new GatewayVerticle();
    // History in memory: tests that keep it on disk say so (and name a directory of their own).
    JsonObject conf = new JsonObject().put("port", 0).put("host", "127.0.0.1").put("persistHistory", false)
      .mergeIn(config);
    String id = Await.result(vertx.deployVerticle(verticle, new DeploymentOptions().setConfig(conf)));
    return new GatewayHarness(vertx, verticle.actualPort(), id);
  }

  public static GatewayHarness start(Vertx vertx) {
    return start(vertx, new JsonObject());
  }

  public TestSocket connect(String path) {
    return TestSocket.connect(vertx, port, path);
  }

  public HttpResponse<Buffer> get(String path) {
    return Await.result(http.get(port, "127.0.0.1", path).send());
  }

  public JsonObject stats() {
    return get("/api/stats").bodyAsJsonObject();
  }

  /** Polls until the condition holds; fails after the deadline. */
  public static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TestSocket.TIMEOUT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  /** POSTs a JSON body (e.g. an HTTP publish to {@code /api/groups/G/messages}). */
  public HttpResponse<Buffer> post(String path, JsonObject body) {
    return Await.result(http.post(port, "127.0.0.1", path).sendJsonObject(body));
  }

  /**
   * Tries a WebSocket upgrade with the given headers: 101 when it was accepted (the socket is
   * closed again at once), else the refusal's HTTP status.
   */
  public int upgrade(String path, java.util.Map<String, String> headers) {
    io.vertx.core.http.WebSocketClient client = vertx.createWebSocketClient();
    try {
      io.vertx.core.http.WebSocketConnectOptions options = new io.vertx.core.http.WebSocketConnectOptions()
        .setHost("127.0.0.1").setPort(port).setURI(path);
      headers.forEach(options::addHeader);
      io.vertx.core.Future<io.vertx.core.http.WebSocket> connect = client.connect(options);
      try {
        Await.result(connect).close();
        return 101;
      } catch (Throwable e) {
        if (connect.cause() instanceof io.vertx.core.http.UpgradeRejectedException rejected) {
          return rejected.getStatus();
        }
        throw e;
      }
    } finally {
      client.close();
    }
  }

  /** The base URL of this gateway's pages, e.g. {@code http://127.0.0.1:40123}. */
  public String url() {
    return "http://127.0.0.1:" + port;
  }

  /** The value of one series of {@code GET /metrics} (name and labels as written there); 0 when absent. */
  public double metric(String series) {
    for (String line : get("/metrics").bodyAsString().split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim().split(" ")[0]);
      }
    }
    return 0;
  }

  @Override
  public void close() {
    http.close();
    Await.result(vertx.undeploy(deploymentId));
  }
}
