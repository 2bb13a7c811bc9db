package io.github.switchboard.loadgen;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * Where socket {@code i} goes: server {@code i mod U} of the URL list and, with
 * {@code --sources K}, local address {@code 127.0.0.(2 + i mod K)}. One source address can
 * hold about 28k connections to one server port (the ephemeral port range); more sources lift
 * that limit on a single machine.
 */
public final class Targets {

  private final List<URI> servers = new ArrayList<>();
  private final List<WebSocketClient> clients = new ArrayList<>();
  private final List<String> sources = new ArrayList<>();
  private final Context context;

  public Targets(Vertx vertx, List<String> urls, int sourceCount) {
    this(vertx, urls, sourceCount, false);
  }

  /**
   * @param deflate offer permessage-deflate on every socket (accepting the server's
   *                client_no_context_takeover), as browsers do
   */
  public Targets(Vertx vertx, List<String> urls, int sourceCount, boolean deflate) {
    this.context = vertx.getOrCreateContext();
    for (String url : urls) {
      URI uri = URI.create(url);
      if (!"ws".equals(uri.getScheme()) || uri.getHost() == null) {
        throw new IllegalArgumentException("--url must be ws://host:port, got '" + url + "'");
      }
      servers.add(uri);
    }
    if (servers.isEmpty()) {
      throw new IllegalArgumentException("--url is empty");
    }
    int n = Math.max(1, sourceCount);
    for (int i = 0; i < n; i++) {
      WebSocketClientOptions options = new WebSocketClientOptions()
        // One pool per server; the default (50 sockets per server) would queue the rest.
        .setMaxConnections(Integer.MAX_VALUE)
        .setConnectTimeout(30_000)
        .setMaxFrameSize(1024 * 1024)
        .setMaxMessageSize(1024 * 1024)
        .setTryUsePerMessageCompression(deflate)
        .setCompressionAllowClientNoContext(deflate);
      if (sourceCount > 0) {
        String source = "127.0.0." + (2 + i);
        options.setLocalAddress(source);
        sources.add(source);
      }
      clients.add(vertx.createWebSocketClient(options));
    }
  }

  /**
   * Opens socket number {@code i} on {@code path} (e.g. {@code /ws}) and runs {@code onOpen}
   * on its event loop before any frame is read, so a frame sent right after the handshake is
   * not lost. The connect is started from the event loop: from another thread, the callback
   * could be registered after the handshake completed and run after the first frame.
   */
  public Future<WebSocket> connect(int i, String path, Handler<WebSocket> onOpen) {
    URI server = servers.get(i % servers.size());
    WebSocketClient client = clients.get(i % clients.size());
    String base = server.getPath() == null || server.getPath().equals("/") ? "" : server.getPath();
    WebSocketConnectOptions options = new WebSocketConnectOptions()
      .setHost(server.getHost())
      .setPort(server.getPort() < 0 ? 80 : server.getPort())
      .setURI(base + path);
    Promise<WebSocket> opened = Promise.promise();
    context.runOnContext(v -> client.connect(options).onSuccess(onOpen).onComplete(opened));
    return opened.future();
  }

  public int serverCount() {
    return servers.size();
  }

  public List<String> sources() {
    return sources;
  }

  public Future<Void> close() {
    List<Future<Void>> closing = new ArrayList<>();
    for (WebSocketClient c : clients) {
      closing.add(c.close());
    }
    return Future.all(closing).mapEmpty();
  }
}
