package io.github.switchboard.loadgen;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * What the generator can learn about the server under test: its process (CPU, RSS) when it runs
 * on this machine and its pid is given, its JVM memory from a Prometheus {@code /metrics} page
 * when it is our gateway, its open connections from {@code /api/stats}, and a command that makes
 * it collect garbage.
 */
public final class ServerProbe {

  /** A pid written {@code tree:<pid>} counts the CPU of the process and of all its descendants. */
  static final String TREE = "tree:";

  /** Pids of the server processes (several for a cluster on this machine); empty when unknown. */
  private final String[] pids;
  private final String metricsUrl;
  private final String statsUrl;
  private final String gcCommand;
  /** Prometheus pages whose hop timers are summed (the gateways and the chat process of a run). */
  private final String[] timerUrls;
  /** HTTP/1.1 only: an h2c upgrade header would reach a Node server's WebSocket upgrade handler. */
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
    .connectTimeout(Duration.ofSeconds(5)).build();

  public ServerProbe(String pid, String metricsUrl, String statsUrl, String gcCommand) {
    this(pid, metricsUrl, statsUrl, gcCommand, null);
  }

  public ServerProbe(String pid, String metricsUrl, String statsUrl, String gcCommand, String timerUrls) {
    this.pids = pid == null || pid.isBlank() ? new String[0] : pid.trim().split("\\s*,\\s*");
    this.timerUrls = timerUrls == null || timerUrls.isBlank() ? new String[0] : timerUrls.trim().split("\\s*,\\s*");
    this.metricsUrl = metricsUrl;
    this.statsUrl = statsUrl;
    this.gcCommand = gcCommand;
  }

  public boolean hasPid() {
    return pids.length > 0;
  }

  /** Server CPU time in clock ticks, summed over its processes; -1 without a pid or on error. */
  public long cpuTicks() {
    long[] split = cpuTicksSplit();
    return split == null ? -1 : split[0] + split[1];
  }

  /**
   * The gateway's own count of bytes written to its sockets ({@code switchboard_bytes_out_total}:
   * every frame as it went out, compressed or not, headers included); -1 without a metrics URL
   * or for a server that has no such counter (the peer). Not {@code /proc/<pid>/io}: its
   * {@code wchar} misses the socket sends Netty makes (measured: a third of them counted).
   */
  public long bytesOut() {
    if (metricsUrl == null) {
      return -1;
    }
    String text = get(metricsUrl);
    if (text == null) {
      return -1;
    }
    for (String line : text.split("\n")) {
      if (line.startsWith("switchboard_bytes_out_total ")) {
        return Math.round(Double.parseDouble(line.substring("switchboard_bytes_out_total ".length()).trim().split(" ")[0]));
      }
    }
    return -1;
  }

  /** The timers a chat message's way is broken down with (docs/benchmarks.md, the per-hop breakdown). */
  static final String[] HOP_TIMERS = {"switchboard_chat_store_seconds", "switchboard_service_request_seconds"};

  /**
   * For each of {@link #HOP_TIMERS}: {count, sum of seconds} summed over the timer pages
   * ({@code --timer-urls}); null without pages or when one cannot be read.
   */
  public double[][] hopTimers() {
    if (timerUrls.length == 0) {
      return null;
    }
    double[][] sums = new double[HOP_TIMERS.length][2];
    for (String url : timerUrls) {
      String text = get(url);
      if (text == null) {
        return null;
      }
      for (String line : text.split("\n")) {
        for (int i = 0; i < HOP_TIMERS.length; i++) {
          if (line.startsWith(HOP_TIMERS[i] + "_count")) {
            sums[i][0] += lastNumber(line);
          } else if (line.startsWith(HOP_TIMERS[i] + "_sum")) {
            sums[i][1] += lastNumber(line);
          }
        }
      }
    }
    return sums;
  }

  private static double lastNumber(String line) {
    return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1).trim());
  }

  /** {user, system} CPU ticks summed over the server's processes; null without a pid or on error. */
  public long[] cpuTicksSplit() {
    if (pids.length == 0) {
      return null;
    }
    long[] sum = new long[2];
    for (String pid : pids) {
      long[] ticks = pid.startsWith(TREE) ? Proc.treeCpuTicksSplit(pid.substring(TREE.length())) : Proc.cpuTicksSplit(pid);
      if (ticks == null) {
        return null;
      }
      sum[0] += ticks[0];
      sum[1] += ticks[1];
    }
    return sum;
  }

  /**
   * Runs the GC command (e.g. {@code jcmd <pid> GC.run}) if one is configured and waits for it;
   * returns whether one ran.
   */
  public boolean collectGarbage() {
    if (gcCommand == null) {
      return false;
    }
    try {
      Process p = new ProcessBuilder("sh", "-c", gcCommand).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return false;
      }
      return p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * rssKib (summed over the server's processes); heapUsedBytes / directUsedBytes when a
   * Prometheus page gives them (our gateway); nodeHeapUsedBytes / nodeExternalBytes when the
   * stats page carries Node's {@code process.memoryUsage()} (the peer).
   */
  public JsonObject memory() {
    JsonObject json = new JsonObject();
    if (pids.length > 0) {
      long rss = 0;
      for (String pid : pids) {
        // A tree: its root's only (the processes of a forking server share memory).
        rss += Math.max(0, Proc.rssKib(pid.startsWith(TREE) ? pid.substring(TREE.length()) : pid));
      }
      json.put("rssKib", rss);
    }
    if (statsUrl != null) {
      String text = get(statsUrl);
      try {
        JsonObject node = text == null ? null : new JsonObject(text).getJsonObject("memory");
        if (node != null) {
          json.put("nodeHeapUsedBytes", node.getLong("heapUsed"));
          json.put("nodeExternalBytes", node.getLong("external"));
        }
      } catch (RuntimeException e) {
        // not JSON, or no memory object: nothing to add
      }
    }
    if (metricsUrl != null) {
      String text = get(metricsUrl);
      if (text != null) {
        long heap = heapUsed(text);
        long direct = directUsed(text);
        if (heap >= 0) {
          json.put("heapUsedBytes", heap);
        }
        if (direct >= 0) {
          json.put("directUsedBytes", direct);
        }
      }
    }
    return json;
  }

  /** The server's own count of open connections ({@code "connections"} of /api/stats), or -1. */
  public long connections() {
    if (statsUrl == null) {
      return -1;
    }
    String text = get(statsUrl);
    if (text == null) {
      return -1;
    }
    try {
      return new JsonObject(text).getLong("connections", -1L);
    } catch (RuntimeException e) {
      return -1;
    }
  }

  private String get(String url) {
    try {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? response.body() : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** Sum of {@code jvm_memory_used_bytes{area="heap",...}} over the heap pools; -1 if absent. */
  static long heapUsed(String metrics) {
    return sum(metrics, "jvm_memory_used_bytes{", "area=\"heap\"");
  }

  /** {@code jvm_buffer_memory_used_bytes{id="direct"}}; -1 if absent. */
  static long directUsed(String metrics) {
    return sum(metrics, "jvm_buffer_memory_used_bytes{", "id=\"direct\"");
  }

  private static long sum(String metrics, String prefix, String label) {
    double total = 0;
    boolean found = false;
    for (String line : metrics.split("\n")) {
      if (line.startsWith(prefix) && line.contains(label)) {
        int close = line.lastIndexOf('}');
        String[] rest = line.substring(close + 1).trim().split("\\s+");
        total += Double.parseDouble(rest[0]);
        found = true;
      }
    }
    return found ? Math.round(total) : -1;
  }
}
