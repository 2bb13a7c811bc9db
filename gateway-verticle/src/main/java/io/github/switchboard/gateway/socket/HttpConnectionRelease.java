package io.github.switchboard.gateway.socket;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.internal.http.HttpServerRequestInternal;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.metrics.NetworkMetrics;

/**
 * What Vert.x's HTTP connection would report when an upgraded connection closes: the
 * connection and its upgrade request end in Vert.x's metrics. Once a socket is open, the
 * gateway takes Vert.x's connection handler out of the pipeline: it would hold the connection
 * object and the upgrade request with all its headers (about 2.5 KB per socket) only to say,
 * at the close, what this object says with the three references it keeps.
 *
 * <p>Without Vert.x metrics there is nothing to report: {@link #NONE}.
 */
final class HttpConnectionRelease {

  static final HttpConnectionRelease NONE = new HttpConnectionRelease(null, null, null, null);

  private final HttpServerMetrics<Object, Object, Object> metrics;
  private final Object connectionMetric;
  private final SocketAddress remote;
  private final Object requestMetric;

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
   * The socket closed: the upgrade request never got a response from Vert.x's point of view,
   * so it ends as reset, as Vert.x ends it when a connection closes under a pending request.
   */
  void closed() {
    if (metrics == null) {
      return;
    }
    if (requestMetric != null) {
      metrics.requestReset(requestMetric);
    }
    metrics.disconnected(connectionMetric, remote);
  }
}
