package io.github.switchboard.gateway.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * Every TCP connection of the gateway's HTTP server, from accept to close, by client address:
 * plain HTTP and half-sent requests as much as open WebSockets. Counting from accept is what
 * makes {@code maxConnections} and {@code maxConnectionsPerIp} a bound on file descriptors: a
 * client that opens connections and never finishes a request used to count toward neither.
 *
 * <p>Event loop only (the gateway's HTTP server runs on one event loop).
 */
public final class OpenConnections {

  private final Map<String, Integer> byAddress = new HashMap<>();
  private int total;
  /** Shared by every connection: it finds the address on the channel it is told about. */
  private final ChannelFutureListener onClose = future -> closed(future.channel());

  /** Counts a new connection until its channel closes. */
  void opened(Channel channel) {
    total++;
    byAddress.merge(address(channel), 1, Integer::sum);
    channel.closeFuture().addListener(onClose);
  }

  private void closed(Channel channel) {
    total--;
    byAddress.computeIfPresent(address(channel), (k, n) -> n == 1 ? null : n - 1);
  }

  /** Open connections from one client address (an IP, without port). */
  public int from(String host) {
    return byAddress.getOrDefault(host, 0);
  }

  public int total() {
    return total;
  }

  /** The client's IP as a string; the channel keeps its remote address after it closes. */
  static String address(Channel channel) {
    SocketAddress remote = channel.remoteAddress();
    if (remote instanceof InetSocketAddress inet) {
      return inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
    }
    return String.valueOf(remote);
  }
}
