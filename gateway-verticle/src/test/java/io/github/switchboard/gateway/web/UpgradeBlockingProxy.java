package io.github.switchboard.gateway.web;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP proxy of the kind that breaks WebSockets: it passes plain HTTP through to the gateway,
 * byte for byte, and answers every WebSocket upgrade with 403 (as some corporate proxies do).
 * When the gateway is down, a connection through it is closed at once. Plain blocking sockets
 * and threads, nothing of the gateway's code.
 */
final class UpgradeBlockingProxy implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(UpgradeBlockingProxy.class);

  private final ServerSocket server;
  private final int targetPort;
  private final AtomicInteger refusedUpgrades = new AtomicInteger();
  private volatile boolean closed;

  private UpgradeBlockingProxy(int targetPort) throws IOException {
    this.targetPort = targetPort;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "upgrade-blocking-proxy");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  static UpgradeBlockingProxy start(int targetPort) throws IOException {
    return new UpgradeBlockingProxy(targetPort);
  }

  int port() {
    return server.getLocalPort();
  }

  /** WebSocket upgrades refused so far. */
  int refusedUpgrades() {
    return refusedUpgrades.get();
  }

  private void accept() {
    while (!closed) {
      try {
        Socket client = server.accept();
        Thread connection = new Thread(() -> serve(client), "upgrade-blocking-proxy-conn");
        connection.setDaemon(true);
        connection.start();
      } catch (IOException e) {
        if (!closed) {
          log.warn("proxy accept failed: {}", e.toString());
        }
      }
    }
  }

  private void serve(Socket client) {
    try (client) {
      InputStream in = client.getInputStream();
      byte[] head = readHead(in);
      if (head == null) {
        return;
      }
      String text = new String(head, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
      if (text.contains("\nupgrade: websocket")) {
        refusedUpgrades.incrementAndGet();
        client.getOutputStream().write(("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
        return;
      }
      try (Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort)) {
        upstream.getOutputStream().write(head);
        Thread down = new Thread(() -> pump(upstream, client), "upgrade-blocking-proxy-down");
        down.setDaemon(true);
        down.start();
        pump(client, upstream);
        down.join();
      }
    } catch (IOException e) {
      // The gateway is down or a side closed: the client's connection ends here.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The request head up to its blank line; null when the client closed first. */
  private static byte[] readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    int b;
    while ((b = in.read()) >= 0) {
      head.write(b);
      matched = b == end[matched] ? matched + 1 : b == '\r' ? 1 : 0;
      if (matched == end.length) {
        return head.toByteArray();
      }
    }
    return null;
  }

  /** Copies one direction until it ends, then ends the other side's connection too. */
  private static void pump(Socket from, Socket to) {
    byte[] buffer = new byte[16 * 1024];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      int n;
      while ((n = in.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // Cut: end both below.
    } finally {
      try {
        to.close();
        from.close();
      } catch (IOException e) {
        // Already closed.
      }
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
  }
}
