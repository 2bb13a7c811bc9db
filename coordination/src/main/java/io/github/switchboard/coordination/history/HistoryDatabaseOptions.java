package io.github.switchboard.coordination.history;

import io.github.switchboard.launcher.settings.Settings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The PostgreSQL database a cluster writes its history through to (docs/operations.md, "History
 * in PostgreSQL"). Read from the environment of the data members ({@code SWITCHBOARD_HISTORY_DB_*}),
 * whose launcher gives the history maps their store when the URL is set, and which connect with
 * it.
 *
 * @param url          JDBC URL, {@code jdbc:postgresql://host:5432/db}
 * @param user         database user
 * @param password     its password (from {@code SWITCHBOARD_HISTORY_DB_PASSWORD}, or the file
 *                     {@code SWITCHBOARD_HISTORY_DB_PASSWORD_FILE} names, as a Kubernetes secret
 *                     mounts it); empty: none
 * @param poolSize     connections per data member
 * @param timeoutMs    how long a connection may take to open and a statement to run; a write
 *                     past it fails, and its publish is answered {@code timeout}
 */
public record HistoryDatabaseOptions(String url, String user, String password, int poolSize, long timeoutMs) {

  public static final String DEFAULT_USER = "switchboard";
  public static final int DEFAULT_POOL_SIZE = 8;
  public static final long DEFAULT_TIMEOUT_MS = 5_000;

  public HistoryDatabaseOptions {
    if (url == null || !url.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException("SWITCHBOARD_HISTORY_DB_URL must be a jdbc:postgresql: URL, got " + url);
    }
  }

  /** The database the environment names, or none (history in memory only). */
  public static Optional<HistoryDatabaseOptions> fromEnv(Map<String, String> env) {
    Settings s = Settings.of(null, env);
    String url = s.string("historyDbUrl", null);
    if (url == null || url.isEmpty()) {
      return Optional.empty();
    }
    String password = s.string("historyDbPassword", "");
    String passwordFile = s.string("historyDbPasswordFile", null);
    if (passwordFile != null && !passwordFile.isEmpty()) {
      try {
        password = Files.readString(Path.of(passwordFile)).strip();
      } catch (IOException e) {
        throw new IllegalArgumentException("SWITCHBOARD_HISTORY_DB_PASSWORD_FILE: cannot read " + passwordFile + ": " + e);
      }
    }
    return Optional.of(new HistoryDatabaseOptions(url, s.string("historyDbUser", DEFAULT_USER), password,
      s.intIn("historyDbPoolSize", DEFAULT_POOL_SIZE, 1, 1_000),
      s.longIn("historyDbTimeoutMs", DEFAULT_TIMEOUT_MS, 100, 600_000)));
  }

  @Override
  public String toString() {
    // Never the password.
    return "HistoryDatabaseOptions[url=" + url + ", user=" + user + ", poolSize=" + poolSize + ", timeoutMs=" + timeoutMs + "]";
  }
}
