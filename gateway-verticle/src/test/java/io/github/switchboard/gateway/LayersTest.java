package io.github.switchboard.gateway;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway's packages form layers (docs/architecture.md): a class may import from its own
 * package and from packages lower in {@link #LAYERS}, never from one above. Read from the
 * sources, so a new import that points up fails here with the file named.
 */
class LayersTest {

  /** Bottom first. The root package (the verticle) is the top. */
  static final List<String> LAYERS = List.of(
    "config", "metrics", "service", "proxy", "auth", "stream",
    "transport", "session", "cluster", "fanout", "presence", "endpoint", "admission", "api", "http", "");

  private static final Path SOURCES = Path.of("src/main/java/io/github/switchboard/gateway");
  private static final Pattern IMPORT = Pattern.compile("(?m)^import (?:static )?io\\.github\\.switchboard\\.gateway\\.((?:[a-z]+\\.)*)[A-Z]");

  @Test
  void everyImportPointsDown() throws IOException {
    List<String> upward = new ArrayList<>();
    List<String> unknown = new ArrayList<>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        String pkg = SOURCES.relativize(file.getParent()).toString().replace('/', '.');
        int level = LAYERS.indexOf(pkg);
        if (level < 0) {
          unknown.add(pkg + " (" + file.getFileName() + ")");
          continue;
        }
        Matcher m = IMPORT.matcher(Files.readString(file));
        while (m.find()) {
          String target = m.group(1).isEmpty() ? "" : m.group(1).substring(0, m.group(1).length() - 1);
          int targetLevel = LAYERS.indexOf(target);
          if (targetLevel < 0) {
            unknown.add(target + " (imported by " + file.getFileName() + ")");
          } else if (targetLevel > level) {
            upward.add(file.getFileName() + " in '" + pkg + "' imports from '" + target + "'");
          }
        }
      }
    }
    assertThat(unknown).as("packages missing from LAYERS (and from docs/architecture.md)").isEmpty();
    assertThat(upward).as("imports that point up a layer").isEmpty();
  }
}
