package io.github.switchboard.coordination;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL server for tests: {@code initdb} in a temporary directory, started with
 * {@code pg_ctl} on a free port of 127.0.0.1, as the {@code postgres} user when run as root
 * (initdb refuses root). It can be stopped and started again (the database down), and is
 * removed by {@link #close}.
 *
 * <p>Where PostgreSQL is not installed the test is skipped with that reason, unless
 * {@code SWITCHBOARD_POSTGRES_CHECK=required} (CI, whose .ci/run installs it): then it fails.
 */
public final class TestPostgres implements AutoCloseable {

  private final Path bin;
  private final Path dir;
  private final int port;
  private final boolean asPostgres;

  private TestPostgres(Path bin, Path dir, int port, boolean asPostgres) {
    this.bin = bin;
    this.dir = dir;
    this.port = port;
    this.asPostgres = asPostgres;
  }

  /** A new, running server with an empty database {@code postgres}. */
  public static TestPostgres start() {
    Path bin = binaries();
    try {
      boolean root = "root".equals(System.getProperty("user.name"));
      Path dir = Files.createTempDirectory("switchboard-pg-");
      if (root) {
        run(List.of("chown", "postgres:postgres", dir.toString()), false, 30);
      }
      TestPostgres server = new TestPostgres(bin, dir, freePort(), root);
      server.run(List.of(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-A", "trust",
        "-U", "postgres", "--no-sync", "-E", "UTF8"), 120);
      server.startAgain();
      return server;
    } catch (IOException e) {
      throw new AssertionError("cannot start a test PostgreSQL: " + e, e);
    }
  }

  private static Path binaries() {
    Path found = null;
    Path root = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(root)) {
      try (Stream<Path> versions = Files.list(root)) {
        found = versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
          .max(Comparator.comparing(b -> Integer.parseInt(b.getParent().getFileName().toString().replaceAll("\\D", "0"))))
          .orElse(null);
      } catch (IOException e) {
        found = null;
      }
    }
    if (found == null) {
      String reason = "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): apt-get install postgresql";
      if ("required".equals(System.getenv("SWITCHBOARD_POSTGRES_CHECK"))) {
        throw new AssertionError(reason + " (SWITCHBOARD_POSTGRES_CHECK=required)");
      }
      Assumptions.assumeTrue(false, reason);
    }
    return found;
  }

  /** The JDBC URL of its database {@code postgres}. */
  public String url() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
  }

  public String user() {
    return "postgres";
  }

  public int port() {
    return port;
  }

  /** Whether the server takes a connection now (a test that stopped it leaves it stopped). */
  public boolean accepting() {
    try (java.sql.Connection ignored = java.sql.DriverManager.getConnection(url(), user(), "")) {
      return true;
    } catch (java.sql.SQLException down) {
      return false;
    }
  }

  /** Starts the server (again), waiting until it accepts connections. */
  public void startAgain() {
    run(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-l",
      dir.resolve("server.log").toString(), "-w", "-t", "60", "-o",
      "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", "start"), 90);
  }

  /** Stops the server at once (connections cut, as a crash would), waiting until it is down. */
  public void stopNow() {
    run(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate", "-w",
      "stop"), 60);
  }

  @Override
  public void close() {
    try {
      stopNow();
    } catch (AssertionError ignored) {
      // Already stopped.
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // A temporary directory left behind.
    }
  }

  private void run(List<String> command, int seconds) {
    run(command, asPostgres, seconds);
  }

  private static void run(List<String> command, boolean asPostgres, int seconds) {
    List<String> line = new ArrayList<>();
    if (asPostgres) {
      line.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    line.addAll(command);
    try {
      Path out = Files.createTempFile("switchboard-pg-", ".out");
      Process process = new ProcessBuilder(line).redirectErrorStream(true).redirectOutput(out.toFile()).start();
      if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("timed out after " + seconds + " s: " + line + "\n" + Files.readString(out));
      }
      String output = Files.readString(out);
      Files.deleteIfExists(out);
      if (process.exitValue() != 0) {
        throw new AssertionError("failed (" + process.exitValue() + "): " + line + "\n" + output);
      }
    } catch (IOException e) {
      throw new AssertionError("cannot run " + line + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Below the ephemeral range (see {@link TestPorts}): the server is stopped and started again on it. */
  private static int freePort() {
    return TestPorts.free();
  }
}
