package io.github.switchboard.gateway.transport;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.internal.http.HttpServerRequestInternal;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.metrics.NetworkMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;

/**
 * What Vert.x's HTTP connection would report about an upgraded connection, for Vert.x's
 * metrics. Once a socket is open, the gateway takes Vert.x's connection handler out of the
 * pipeline: it would hold the connection object and the upgrade request with all its headers
 * (about 2.3 KB per socket) only to report, at the close, what this object reports.
 *
 * <p>At the take-over the upgrade request ends as answered with 101 (so
 * {@code vertx_http_server_requests_total{code="101"}} counts accepted upgrades and the
 * request is no longer active); at the close the connection ends. Without Vert.x metrics
 * there is nothing to report: {@link #NONE}.
 */
final class HttpConnectionRelease {

  static final HttpConnectionRelease NONE = new HttpConnectionRelease(null, null, null, null);

  /** How the taken-over request was answered, as Vert.x's metrics SPI sees a response. */
  private record Answered(int statusCode) implements HttpResponse {
    @Override
    public MultiMap headers() {
      return MultiMap.caseInsensitiveMultiMap();
    }
  }

  private static final HttpResponse SWITCHING_PROTOCOLS = new Answered(101);
  /** A streaming response (Server-Sent Events, HTTP streaming) that the transport took over. */
  static final HttpResponse STREAMING = new Answered(200);

  private final HttpServerMetrics<Object, Object, Object> metrics;
  private final Object connectionMetric;
  private final SocketAddress remote;
  /** Until the take-over; then the request has ended and its metric is let go. */
  private Object requestMetric;

  private HttpConnectionRelease(HttpServerMetrics<Object, Object, Object> metrics, Object connectionMetric,
                                SocketAddress remote, Object requestMetric) {
    this.metrics = metrics;
    this.connectionMetric = connectionMetric;
    this.remote = remote;
    this.requestMetric = requestMetric;
  }

  /** Read from the upgrade request while Vert.x's connection still holds it. */
  @SuppressWarnings("unchecked")
  static HttpConnectionRelease of(HttpServerRequest request) {
    if (!(request.connection() instanceof ConnectionBase connection)) {
      return NONE;
    }
    NetworkMetrics<?> metrics = connection.metrics();
    if (!(metrics instanceof HttpServerMetrics<?, ?, ?> http)) {
      return NONE;
    }
    Object requestMetric = request instanceof HttpServerRequestInternal internal ? internal.metric() : null;
    return new HttpConnectionRelease((HttpServerMetrics<Object, Object, Object>) http, connection.metric(),
      connection.remoteAddress(), requestMetric);
  }

  /**
   * Vert.x's handler left the pipeline: the upgrade request, which it would have kept open
   * for the socket's life, ends here with its 101. (Vert.x never saw the request's end: the
   * socket's frame handler took the connection over during the request.)
   */
  void tookOver(HttpServerRequest request) {
    tookOver(request, SWITCHING_PROTOCOLS);
  }

  /** The same for a request answered with {@code response} (a stream: 200). */
  void tookOver(HttpServerRequest request, HttpResponse response) {
    if (metrics == null || requestMetric == null) {
      return;
    }
    Object metric = requestMetric;
    requestMetric = null;
    metrics.requestEnd(metric, new UpgradeRequest(request), 0);
    metrics.responseEnd(metric, response, 0);
  }

  /** The socket closed: the connection ends in Vert.x's metrics. */
  void closed() {
    if (metrics != null) {
      metrics.disconnected(connectionMetric, remote);
    }
  }

  /** The upgrade request as Vert.x's metrics SPI sees a request. */
  private record UpgradeRequest(HttpServerRequest request) implements HttpRequest {
    @Override
    public int id() {
      return request.streamId();
    }

    @Override
    public String uri() {
      return request.uri();
    }

    @Override
    public String absoluteURI() {
      return request.absoluteURI();
    }

    @Override
    public HttpMethod method() {
      return request.method();
    }

    @Override
    public MultiMap headers() {
      return request.headers();
    }

    @Override
    public SocketAddress remoteAddress() {
      return request.remoteAddress();
    }
  }
}
