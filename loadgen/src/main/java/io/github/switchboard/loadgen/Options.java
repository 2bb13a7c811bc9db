package io.github.switchboard.loadgen;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Command line: {@code <scenario> [--name value | --name=value]...}. */
public final class Options {

  static final Map<String, String> HELP = new LinkedHashMap<>();

  static {
    HELP.put("url", "comma-separated base URLs of the servers, sockets spread round robin (ws://127.0.0.1:8080)");
    HELP.put("sources", "bind client sockets to 127.0.0.2 .. 127.0.0.(K+1), round robin; 0 = let the OS choose (0)");
    HELP.put("connections", "connect: sockets to open and hold (2000)");
    HELP.put("connect-rate", "sockets opened per second, fixed rate (connect: 1000, others: 2000)");
    HELP.put("path", "connect: endpoint the sockets open (/ws)");
    HELP.put("hold", "connect: seconds to hold the sockets after measuring (0)");
    HELP.put("settle", "connect: seconds to wait after the last connect before measuring memory (3)");
    HELP.put("subscribers", "fanout/hub: receiving sockets (fanout 1000, hub 200)");
    HELP.put("rate", "fanout/hub: messages per second from the publisher, fixed rate (50)");
    HELP.put("duration", "fanout/hub: measured seconds (10)");
    HELP.put("endpoint", "fanout: ws (a /ws group, default) or chat (the chat room /ws/chat/<group>, through the chat service)");
    HELP.put("warmup-rate", "fanout/hub: messages per second during the warm-up (the --rate)");
    HELP.put("warmup", "fanout/hub: seconds of warm-up before measuring, at --warmup-rate (3); ping: round trips (10000); connect: sockets opened and closed first (1000)");
    HELP.put("payload-bytes", "fanout/hub: size of the published JSON object, padded (100)");
    HELP.put("payload", "fanout/hub: padding (x repeated, the default) or json (a feed-like object: events with ids, teams, scores, minutes)");
    HELP.put("deflate", "true: every socket offers permessage-deflate, as browsers do (false)");
    HELP.put("group", "fanout: group name (bench); sequence: prefix of the stream groups (stream.seq)");
    HELP.put("groups", "sequence: stream groups published to in turn (100)");
    HELP.put("in-flight", "sequence: publishes each socket keeps waiting for their ack (8)");
    HELP.put("idle", "fanout/hub: seconds of server CPU measured with the sockets open and nothing sent (2)");
    HELP.put("drain", "fanout/hub: seconds to wait for late deliveries after the last send (5)");
    HELP.put("round-trips", "ping: measured round trips in total (10000)");
    HELP.put("sockets", "ping: sockets pinging at once, each waits for its pong (1); sequence: publisher sockets (20)");
    HELP.put("server-pid", "pid(s) of the server process(es) on this machine, comma-separated, for CPU and RSS (/proc);"
      + " tree:<pid> counts the CPU of the process and of all its descendants, living and ended (a forking server: PostgreSQL)");
    HELP.put("metrics-url", "Prometheus page of the server, for JVM heap and direct memory");
    HELP.put("stats-url", "JSON page with \"connections\" (/api/stats)");
    HELP.put("timer-urls", "Prometheus pages (comma-separated) whose switchboard_chat_store and switchboard_service_request timers are read over the measured window: the per-hop breakdown of a chat message");
    HELP.put("gc-command", "shell command that makes the server collect garbage, run before memory readings");
    HELP.put("clk-tck", "clock ticks per second of /proc/<pid>/stat (getconf CLK_TCK) (100)");
    HELP.put("label", "name of the server in the output (server)");
    HELP.put("json", "file to write the JSON result to");
    HELP.put("event-loops", "client event loop threads (number of available cores)");
  }

  private final String scenario;
  private final Map<String, String> values;

  private Options(String scenario, Map<String, String> values) {
    this.scenario = scenario;
    this.values = values;
  }

  public static Options parse(String[] args, Set<String> scenarios) {
    if (args.length == 0 || !scenarios.contains(args[0])) {
      throw new IllegalArgumentException("first argument must be a scenario: " + String.join(", ", scenarios));
    }
    Map<String, String> values = new LinkedHashMap<>();
    for (int i = 1; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument '" + arg + "'");
      }
      String name = arg.substring(2);
      String value;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        throw new IllegalArgumentException("--" + name + " needs a value");
      }
      if (!HELP.containsKey(name)) {
        throw new IllegalArgumentException("unknown option --" + name);
      }
      values.put(name, value);
    }
    return new Options(args[0], values);
  }

  public static String usage(Set<String> scenarios) {
    StringBuilder sb = new StringBuilder("usage: java -jar loadgen-fat.jar <" + String.join("|", scenarios) + "> [options]\n");
    HELP.forEach((k, v) -> sb.append(String.format("  --%-14s %s%n", k, v)));
    return sb.toString();
  }

  public String scenario() {
    return scenario;
  }

  public String string(String name, String def) {
    String v = values.get(name);
    return v == null || v.isBlank() ? def : v;
  }

  public int integer(String name, int def) {
    String v = string(name, null);
    try {
      return v == null ? def : Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be an integer, got '" + v + "'");
    }
  }

  public double number(String name, double def) {
    String v = string(name, null);
    try {
      return v == null ? def : Double.parseDouble(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be a number, got '" + v + "'");
    }
  }

  public boolean bool(String name, boolean def) {
    String v = string(name, null);
    if (v == null) {
      return def;
    }
    if (!v.equals("true") && !v.equals("false")) {
      throw new IllegalArgumentException("--" + name + " must be true or false, got '" + v + "'");
    }
    return v.equals("true");
  }

  public List<String> urls() {
    List<String> urls = new ArrayList<>();
    for (String u : string("url", "ws://127.0.0.1:8080").split(",")) {
      if (!u.isBlank()) {
        urls.add(u.trim());
      }
    }
    return urls;
  }

  /** The options as given, for the JSON result. */
  public Map<String, String> given() {
    return values;
  }
}
