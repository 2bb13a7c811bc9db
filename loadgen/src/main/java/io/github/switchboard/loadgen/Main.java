package io.github.switchboard.loadgen;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Load generator for Switchboard's benchmark (bench/run.sh). One scenario per run; prints a
 * human summary and the result as JSON (on the last line of stdout, and to {@code --json FILE}).
 */
public final class Main {

  static final Set<String> SCENARIOS = new LinkedHashSet<>(List.of("connect", "fanout", "hub", "ping", "sequence"));

  private Main() {
  }

  public static void main(String[] args) {
    if (args.length > 0 && (args[0].equals("-h") || args[0].equals("--help") || args[0].equals("help"))) {
      System.out.print(Options.usage(SCENARIOS));
      return;
    }
    Options o;
    try {
      o = Options.parse(args, SCENARIOS);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.print(Options.usage(SCENARIOS));
      System.exit(2);
      return;
    }
    int code;
    try {
      code = run(o);
    } catch (Exception e) {
      e.printStackTrace();
      code = 1;
    }
    System.exit(code);
  }

  static int run(Options o) throws Exception {
    int loops = o.integer("event-loops", Runtime.getRuntime().availableProcessors());
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops)
      // Pinned to one core next to a busy server, a short stall is expected; do not log it.
      .setBlockedThreadCheckInterval(10).setBlockedThreadCheckIntervalUnit(TimeUnit.SECONDS)
      .setMaxEventLoopExecuteTime(10).setMaxEventLoopExecuteTimeUnit(TimeUnit.SECONDS));
    Targets targets = new Targets(vertx, o.urls(), o.integer("sources", 0), o.bool("deflate", false));
    ServerProbe server = new ServerProbe(o.string("server-pid", null), o.string("metrics-url", null),
      o.string("stats-url", null), o.string("gc-command", null), o.string("timer-urls", null));
    String label = o.string("label", "server");
    JsonObject result;
    try {
      result = switch (o.scenario()) {
        case "connect" -> ConnectScenario.run(o, targets, server);
        case "fanout" -> FanoutScenario.run(o, targets, server, false);
        case "hub" -> FanoutScenario.run(o, targets, server, true);
        case "ping" -> PingScenario.run(o, targets, server);
        case "sequence" -> SequenceScenario.run(o, targets, server);
        default -> throw new IllegalArgumentException(o.scenario());
      };
    } finally {
      targets.close().await(10, TimeUnit.SECONDS);
      vertx.close().await(10, TimeUnit.SECONDS);
    }
    JsonObject out = new JsonObject()
      .put("scenario", o.scenario())
      .put("label", label)
      .put("urls", o.urls())
      .put("sources", targets.sources())
      .put("options", new JsonObject(new java.util.LinkedHashMap<>(o.given())))
      .put("finishedAt", Instant.now().toString())
      .put("result", result);
    System.out.printf("%n== %s / %s ==%n", o.scenario(), label);
    System.out.print(switch (o.scenario()) {
      case "connect" -> ConnectScenario.describe(result);
      case "ping" -> PingScenario.describe(result);
      case "sequence" -> SequenceScenario.describe(result);
      default -> FanoutScenario.describe(result);
    });
    String json = out.encode();
    System.out.println(json);
    String file = o.string("json", null);
    if (file != null) {
      Path path = Path.of(file);
      if (path.getParent() != null) {
        Files.createDirectories(path.getParent());
      }
      Files.writeString(path, out.encodePrettily() + "\n");
    }
    return 0;
  }
}
