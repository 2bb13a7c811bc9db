package io.github.switchboard.launcher;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Checks on the command line that Vert.x's launcher would let pass silently. */
final class LaunchArguments {

  private LaunchArguments() {
  }

  /**
   * Vert.x takes a {@code -conf} value that is not a file for inline JSON and, when that fails
   * too, starts with an empty config; a typo in a path or in the JSON would then run a gateway
   * on defaults.
   */
  static void checkConf(List<String> args) {
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      String value = null;
      if (arg.equals("-conf") || arg.equals("--conf")) {
        if (i + 1 >= args.size()) {
          throw new IllegalArgumentException("-conf needs a file path or inline JSON");
        }
        value = args.get(i + 1);
      } else if (arg.startsWith("-conf=") || arg.startsWith("--conf=")) {
        value = arg.substring(arg.indexOf('=') + 1);
      }
      if (value == null) {
        continue;
      }
      if (value.strip().startsWith("{")) {
        parse(value, "inline -conf JSON");
      } else {
        Path path = Path.of(value);
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
          throw new IllegalArgumentException("config file " + path.toAbsolutePath() + " does not exist or cannot be read");
        }
        try {
          parse(Files.readString(path), "config file " + path.toAbsolutePath());
        } catch (IOException e) {
          throw new IllegalArgumentException("config file " + path.toAbsolutePath() + " cannot be read: " + e.getMessage());
        }
      }
    }
  }

  private static void parse(String json, String what) {
    try {
      new JsonObject(json);
    } catch (DecodeException e) {
      throw new IllegalArgumentException(what + " is not a valid JSON object: " + e.getMessage());
    }
  }
}
