package io.github.switchboard.loadgen;

import io.vertx.core.json.JsonObject;

/**
 * {@code connect}: opens N idle sockets at a fixed rate and holds them. Reports connect time
 * percentiles and failures, and the server's memory per socket: RSS (and, for our gateway, JVM
 * heap and direct memory) after a GC with the sockets open, minus the same before the first
 * connect, divided by the sockets open.
 */
final class ConnectScenario {

  private ConnectScenario() {
  }

  static JsonObject run(Options o, Targets targets, ServerProbe server) throws InterruptedException {
    int n = o.integer("connections", 2000);
    double rate = o.number("connect-rate", 1000);
    String path = o.string("path", "/ws");
    double settle = o.number("settle", 3);
    double hold = o.number("hold", 0);
    CpuWindow cpu = new CpuWindow(server, o.number("clk-tck", 100));

    int warmupConnections = o.integer("warmup", 1000);
    if (warmupConnections > 0) {
      // Opened and closed before anything is measured, so that neither side's first-use costs
      // (class loading, JIT) land in the connect times.
      System.out.printf("connect: warm-up, %d sockets opened and closed%n", warmupConnections);
      Connector.open(targets, warmupConnections, path, Math.min(rate, 500), (i, ws) -> ws.exceptionHandler(e -> { }))
        .closeAll();
      Thread.sleep(1000);
    }
    JsonObject before = memoryAfterGc(server);
    System.out.printf("connect: opening %d sockets on %s at %.0f/s%n", n, path, rate);
    cpu.start();
    Connector c = Connector.open(targets, n, path, rate, (i, ws) -> {
      ws.textMessageHandler(text -> { });
      ws.exceptionHandler(e -> { });
    });
    cpu.stop();
    int opened = c.opened();
    System.out.printf("connect: %d opened, %d failed in %.1f s%n", opened, c.failures(), c.seconds());
    Thread.sleep((long) (settle * 1000));
    long serverSees = server.connections();
    JsonObject after = memoryAfterGc(server);

    JsonObject perSocket = new JsonObject();
    for (String key : after.fieldNames()) {
      if ((key.endsWith("Kib") || key.endsWith("Bytes")) && before.containsKey(key) && opened > 0) {
        double grown = after.getLong(key) - before.getLong(key);
        if (key.endsWith("Kib")) {
          grown *= 1024;
          key = key.substring(0, key.length() - 3) + "Bytes";
        }
        perSocket.put(key, Math.round(grown / opened));
      }
    }
    int stillOpen = 0;
    for (int i = 0; i < n; i++) {
      if (c.socket(i) != null && !c.socket(i).isClosed()) {
        stillOpen++;
      }
    }
    if (hold > 0) {
      System.out.printf("connect: holding for %.0f s%n", hold);
      Thread.sleep((long) (hold * 1000));
    }
    JsonObject result = new JsonObject()
      .put("connections", c.json().put("stillOpenAtMeasure", stillOpen).put("serverReportsOpen", serverSees))
      .put("memoryBefore", before)
      .put("memoryAfter", after)
      .put("memoryPerSocket", perSocket)
      .put("cpu", cpu.json(opened, "Connection"));
    c.closeAll();
    return result;
  }

  private static JsonObject memoryAfterGc(ServerProbe server) throws InterruptedException {
    boolean collected = server.collectGarbage();
    Thread.sleep(1000);
    return server.memory().put("afterGc", collected);
  }

  static String describe(JsonObject r) {
    JsonObject c = r.getJsonObject("connections");
    JsonObject per = r.getJsonObject("memoryPerSocket");
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("  sockets     %d opened, %d failed, %d open at measure, server reports %d%n",
      c.getInteger("opened"), c.getInteger("failures"), c.getInteger("stillOpenAtMeasure"), c.getLong("serverReportsOpen")));
    sb.append("  connect     ").append(LatencyRecorder.describe(c.getJsonObject("connectTime"))).append('\n');
    sb.append("  per socket  ");
    for (String k : per.fieldNames()) {
      sb.append(k.replace("Bytes", "")).append(' ').append(per.getLong(k)).append(" B  ");
    }
    sb.append('\n');
    sb.append("  cpu         ").append(r.getJsonObject("cpu").encode()).append('\n');
    return sb.toString();
  }
}
