package io.github.switchboard.deploycheck;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free ports on this host for one smoke run, each handed out once: the pods share the host's
 * network, so a port given to one pod that has not bound it yet must not go to another.
 */
final class FreePorts {

  private final Set<Integer> taken = new HashSet<>();

  /** A port the system says is free now (port 0), never one handed out before. */
  synchronized int port() {
    while (true) {
      try (ServerSocket socket = new ServerSocket(0)) {
        if (taken.add(socket.getLocalPort())) {
          return socket.getLocalPort();
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** A base port in 20000-40000 with {@code count} free ports from it (Hazelcast auto-increments). */
  synchronized int block(int count) {
    for (int attempt = 0; attempt < 100; attempt++) {
      int base = ThreadLocalRandom.current().nextInt(20_000, 40_000 - count);
      boolean free = true;
      for (int port = base; port < base + count && free; port++) {
        try (ServerSocket ignored = new ServerSocket(port)) {
          free = !taken.contains(port);
        } catch (IOException e) {
          free = false;
        }
      }
      if (free) {
        for (int port = base; port < base + count; port++) {
          taken.add(port);
        }
        return base;
      }
    }
    throw new AssertionError("no block of " + count + " free ports in 20000-40000");
  }
}
