package io.github.switchboard.loadgen;

import io.vertx.core.json.JsonObject;

/**
 * CPU time of the server and of this generator over one measured interval, and the bytes the
 * gateway wrote to its sockets in it. The generator's
 * share of one core tells whether the generator, not the server, was the limit: run.sh pins it
 * to one core, so near 100% means saturated.
 */
public final class CpuWindow {

  /** Generator CPU above this share of one core marks a run as generator-bound. */
  public static final double SATURATED = 0.90;

  private final ServerProbe server;
  private final double ticksPerSecond;
  private long[] serverStart;
  private long selfStart;
  private long wallStart;
  private long serverTicks = -1;
  private long serverUserTicks = -1;
  private long serverSystemTicks = -1;
  private long selfTicks;
  private long wallNanos;
  private long writtenStart = -1;
  private long written = -1;
  private double[][] timersStart;
  private double[][] timers;

  public CpuWindow(ServerProbe server, double ticksPerSecond) {
    this.server = server;
    this.ticksPerSecond = ticksPerSecond;
  }

  public void start() {
    serverStart = server.cpuTicksSplit();
    writtenStart = server.bytesOut();
    timersStart = server.hopTimers();
    selfStart = Proc.cpuTicks("self");
    wallStart = System.nanoTime();
  }

  public void stop() {
    wallNanos = System.nanoTime() - wallStart;
    long[] serverEnd = server.cpuTicksSplit();
    if (serverStart != null && serverEnd != null) {
      serverUserTicks = serverEnd[0] - serverStart[0];
      serverSystemTicks = serverEnd[1] - serverStart[1];
      serverTicks = serverUserTicks + serverSystemTicks;
    }
    selfTicks = Proc.cpuTicks("self") - selfStart;
    long writtenEnd = server.bytesOut();
    written = writtenStart < 0 || writtenEnd < 0 ? -1 : writtenEnd - writtenStart;
    double[][] timersEnd = server.hopTimers();
    if (timersStart != null && timersEnd != null) {
      timers = new double[timersEnd.length][2];
      for (int i = 0; i < timersEnd.length; i++) {
        timers[i][0] = timersEnd[i][0] - timersStart[i][0];
        timers[i][1] = timersEnd[i][1] - timersStart[i][1];
      }
    }
  }

  public double wallSeconds() {
    return wallNanos / 1e9;
  }

  /** Server CPU seconds in the window; negative when unknown. */
  public double serverCpuSeconds() {
    return serverTicks < 0 ? -1 : serverTicks / ticksPerSecond;
  }

  public double generatorCpuSeconds() {
    return selfTicks / ticksPerSecond;
  }

  public double generatorCoreShare() {
    return wallNanos == 0 ? 0 : generatorCpuSeconds() / wallSeconds();
  }

  public boolean generatorSaturated() {
    return generatorCoreShare() >= SATURATED;
  }

  /**
   * The window as JSON; with {@code units > 0}, also the server's CPU per unit (a delivery, a
   * connection, a round trip) in microseconds.
   */
  public JsonObject json(long units, String unitName) {
    JsonObject json = new JsonObject()
      .put("wallSeconds", round3(wallSeconds()))
      .put("generatorCpuSeconds", round3(generatorCpuSeconds()))
      .put("generatorCoreShare", round3(generatorCoreShare()))
      .put("generatorSaturated", generatorSaturated());
    if (serverTicks >= 0) {
      json.put("serverCpuSeconds", round3(serverCpuSeconds()))
        .put("serverUserSeconds", round3(serverUserTicks / ticksPerSecond))
        .put("serverSystemSeconds", round3(serverSystemTicks / ticksPerSecond))
        .put("serverCoreShare", round3(serverCpuSeconds() / wallSeconds()));
      if (units > 0) {
        json.put("serverCpuMicrosPer" + unitName, round3(serverCpuSeconds() * 1e6 / units));
        json.put("serverUserMicrosPer" + unitName, round3(serverUserTicks / ticksPerSecond * 1e6 / units));
        json.put("serverSystemMicrosPer" + unitName, round3(serverSystemTicks / ticksPerSecond * 1e6 / units));
      }
    }
    if (timers != null) {
      // The servers' own timers over the window: count and mean of each (the per-hop breakdown).
      JsonObject hops = new JsonObject();
      for (int i = 0; i < timers.length; i++) {
        hops.put(ServerProbe.HOP_TIMERS[i], new JsonObject().put("count", Math.round(timers[i][0]))
          .put("meanMicros", timers[i][0] == 0 ? 0 : round3(timers[i][1] * 1e6 / timers[i][0])));
      }
      json.put("hopTimers", hops);
    }
    if (written >= 0) {
      // What the gateway wrote to its sockets in the window, by its own counter: the
      // bandwidth a unit costs.
      json.put("serverBytesOut", written);
      if (units > 0) {
        json.put("serverBytesOutPer" + unitName, round3((double) written / units));
      }
    }
    return json;
  }

  static double round3(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
