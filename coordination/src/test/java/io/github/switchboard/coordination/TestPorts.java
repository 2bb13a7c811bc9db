package io.github.switchboard.coordination;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for the servers tests start as processes (gateways, health ports, PostgreSQL), chosen
 * below the kernel's ephemeral range. A port the OS hands out for port 0 lies in that range, and
 * between the test choosing it and the process binding it, any outgoing connection of the
 * machine (the test's HTTP clients, JDBC, Hazelcast) may take it as its local port: the process
 * then fails with "Address already in use" (seen in CI). Below the range no connection takes it.
 */
public final class TestPorts {

  private static final int LOW = 10_000;
  /** Above this, TestCluster's Hazelcast ports (20,000 up to the ephemeral range). */
  private static final int HIGH = 20_000;

  private TestPorts() {
  }

  /** A port no socket of this machine has bound now, between 10,000 and 20,000. */
  public static int free() {
    int high = Math.max(LOW + 1_000, Math.min(HIGH, ephemeralLow()));
    for (int attempt = 0; attempt < 500; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(LOW, high);
      try (ServerSocket socket = new ServerSocket()) {
        socket.setReuseAddress(false);
        socket.bind(new InetSocketAddress(port));
        return port;
      } catch (IOException taken) {
        // In use (or in TIME_WAIT): another one.
      }
    }
    throw new AssertionError("no free port between " + LOW + " and " + high);
  }

  /** The first port of the kernel's ephemeral range (net.ipv4.ip_local_port_range). */
  public static int ephemeralLow() {
    try {
      // Read by lines: /proc reports a size of 0, and Files.readString then stops after a byte.
      String range = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).strip();
      return Integer.parseInt(range.split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return 32_768;
    }
  }
}
