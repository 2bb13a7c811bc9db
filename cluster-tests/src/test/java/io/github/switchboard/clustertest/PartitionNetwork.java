package io.github.switchboard.clustertest;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A network of its own for each process of a test: one Linux network namespace per process,
 * each with a veth pair to one bridge in this (the test's) namespace, on a /24 of 10.231.x.0
 * that this object picks. The test itself is 10.231.x.1 on the bridge, so it reaches every
 * process whatever is cut between them.
 *
 * <p>{@link #cut} is a real partition: in each namespace of one side, packets to the other
 * side's addresses go into an HTB class whose queue holds nothing (a {@code pfifo} of limit 0),
 * both ways; nothing is sent, nothing answers, as when a switch between racks fails. (Netem and
 * tc actions are not in this kernel; HTB, u32 and pfifo are.) {@link #heal} removes the
 * filters. Only addresses inside namespaces made here receive traffic.
 *
 * <p>{@link #close} removes the namespaces and the bridge, and a JVM shutdown hook does the same
 * when a run is cut short; a new network first removes what a killed run left (names start with
 * {@value #PREFIX}).
 */
final class PartitionNetwork implements AutoCloseable {

  static final String PREFIX = "sbp";
  private static final Logger log = LoggerFactory.getLogger(PartitionNetwork.class);

  /** One process's place: its namespace, its address, its interface inside the namespace. */
  record Host(String name, String namespace, String address, String device) {
  }

  private final int subnet;
  private final String bridge;
  private final List<Host> hosts = new ArrayList<>();
  private final Thread cleanup = new Thread(this::removeAll, "partition-network-cleanup");
  private boolean closed;

  private PartitionNetwork(int subnet) {
    this.subnet = subnet;
    this.bridge = PREFIX + "br" + subnet;
  }

  /** Why namespaces cannot be made here, or empty when they can (root, iproute2, netns support). */
  static Optional<String> unavailable() {
    if (!"root".equals(System.getProperty("user.name"))) {
      return Optional.of("network namespaces need root (running as " + System.getProperty("user.name") + ")");
    }
    String probe = PREFIX + "-probe-" + ProcessHandle.current().pid();
    try {
      run("ip", "netns", "add", probe);
      run("ip", "netns", "del", probe);
      return Optional.empty();
    } catch (RuntimeException e) {
      return Optional.of("'ip netns add' does not work here: " + e.getMessage());
    }
  }

  static PartitionNetwork create() {
    removeLeftovers();
    PartitionNetwork network = new PartitionNetwork(ThreadLocalRandom.current().nextInt(1, 255));
    Runtime.getRuntime().addShutdownHook(network.cleanup);
    run("ip", "link", "add", network.bridge, "type", "bridge");
    run("ip", "addr", "add", network.prefix() + ".1/24", "dev", network.bridge);
    run("ip", "link", "set", network.bridge, "up");
    return network;
  }

  private String prefix() {
    return "10.231." + subnet;
  }

  /** The test's own address on the bridge. */
  String testAddress() {
    return prefix() + ".1";
  }

  /** A new namespace with the next address on the bridge. */
  Host host(String name) {
    int n = hosts.size() + 2;
    String namespace = PREFIX + "-" + subnet + "-" + n;
    String outside = PREFIX + "v" + subnet + "h" + n;
    String inside = PREFIX + "v" + subnet + "n" + n;
    Host host = new Host(name, namespace, prefix() + "." + n, inside);
    run("ip", "netns", "add", namespace);
    hosts.add(host);
    run("ip", "link", "add", outside, "type", "veth", "peer", "name", inside);
    run("ip", "link", "set", inside, "netns", namespace);
    run("ip", "link", "set", outside, "master", bridge);
    run("ip", "link", "set", outside, "up");
    in(host, "ip", "addr", "add", host.address() + "/24", "dev", inside);
    in(host, "ip", "link", "set", inside, "up");
    in(host, "ip", "link", "set", "lo", "up");
    return host;
  }

  /** The command prefix that runs a process inside the host's namespace. */
  static List<String> exec(Host host) {
    return List.of("ip", "netns", "exec", host.namespace());
  }

  /** Nothing passes between the two sides (both directions) until {@link #heal}. */
  void cut(Collection<Host> one, Collection<Host> other) {
    drop(one, other);
    drop(other, one);
    log.info("network cut: {} | {}", one.stream().map(Host::name).toList(), other.stream().map(Host::name).toList());
  }

  /**
   * What {@code from} sends to {@code to} is dropped, the other way passes, until {@link #heal}:
   * {@code to} stops hearing {@code from} while {@code from} (and everyone else) still hears it.
   */
  void cutOneWay(Collection<Host> from, Collection<Host> to) {
    drop(from, to);
    log.info("network cut one way: {} -> {}", from.stream().map(Host::name).toList(), to.stream().map(Host::name).toList());
  }

  private void drop(Collection<Host> from, Collection<Host> to) {
    for (Host host : from) {
      if (!hasDropClass(host)) {
        in(host, "tc", "qdisc", "add", "dev", host.device(), "root", "handle", "1:", "htb", "default", "10");
        in(host, "tc", "class", "add", "dev", host.device(), "parent", "1:", "classid", "1:10", "htb", "rate", "10gbit");
        in(host, "tc", "class", "add", "dev", host.device(), "parent", "1:", "classid", "1:20", "htb", "rate", "8bit");
        in(host, "tc", "qdisc", "add", "dev", host.device(), "parent", "1:20", "handle", "20:", "pfifo", "limit", "0");
      }
      for (Host target : to) {
        in(host, "tc", "filter", "add", "dev", host.device(), "parent", "1:", "protocol", "ip", "prio", "1", "u32",
          "match", "ip", "dst", target.address() + "/32", "flowid", "1:20");
      }
    }
  }

  private boolean hasDropClass(Host host) {
    return output("ip", "netns", "exec", host.namespace(), "tc", "qdisc", "show", "dev", host.device()).contains("htb 1:");
  }

  /** Every cut is gone. */
  void heal() {
    for (Host host : hosts) {
      if (hasDropClass(host)) {
        in(host, "tc", "qdisc", "del", "dev", host.device(), "root");
      }
    }
    log.info("network healed");
  }

  @Override
  public void close() {
    removeAll();
    try {
      Runtime.getRuntime().removeShutdownHook(cleanup);
    } catch (IllegalStateException ignored) {
      // the JVM is stopping: the hook runs anyway
    }
  }

  private synchronized void removeAll() {
    if (closed) {
      return;
    }
    closed = true;
    for (Host host : hosts) {
      quietly("ip", "netns", "del", host.namespace());
    }
    quietly("ip", "link", "del", bridge);
  }

  /** Namespaces and links of runs that were killed before their cleanup. */
  private static void removeLeftovers() {
    for (String line : output("ip", "netns", "list").split("\n")) {
      String name = line.strip().split("\\s+")[0];
      if (name.startsWith(PREFIX + "-")) {
        quietly("ip", "netns", "del", name);
      }
    }
    for (String line : output("ip", "-o", "link", "show").split("\n")) {
      String[] fields = line.split(":\\s+");
      if (fields.length > 1) {
        String name = fields[1].split("@")[0];
        if (name.startsWith(PREFIX + "br") || name.startsWith(PREFIX + "v")) {
          quietly("ip", "link", "del", name);
        }
      }
    }
  }

  private static void in(Host host, String... command) {
    List<String> full = new ArrayList<>(exec(host));
    full.addAll(List.of(command));
    run(full.toArray(String[]::new));
  }

  private static void quietly(String... command) {
    try {
      run(command);
    } catch (RuntimeException e) {
      log.debug("cleanup: {}", e.getMessage());
    }
  }

  private static void run(String... command) {
    Result result = execute(command);
    if (result.exit() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed (" + result.exit() + "): " + result.out().strip());
    }
  }

  private static String output(String... command) {
    return execute(command).out();
  }

  private record Result(int exit, String out) {
  }

  private static Result execute(String... command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return new Result(-1, "timed out: " + out);
      }
      return new Result(process.exitValue(), out);
    } catch (IOException e) {
      return new Result(-1, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(-1, "interrupted");
    }
  }
}
