package io.github.switchboard.gateway.metrics;

import io.github.switchboard.protocol.ErrorCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The counters of one gateway, as Micrometer meters (served at {@code /metrics}) and as the
 * JSON of {@code /api/stats}. Meter names are documented in docs/operations.md.
 *
 * <p>A leaf: it knows meters and error codes, nothing of sockets or endpoints, so every layer
 * of the gateway (transport included) may count through it.
 */
public final class GatewayStats {

  private final MeterRegistry registry;
  private final List<EndpointCounters> endpoints = new ArrayList<>();
  private final Map<ErrorCode, Counter> errors = new EnumMap<>(ErrorCode.class);
  private final Counter out;
  private final Counter bytesOut;
  private final Counter dropped;
  private final Counter deliveries;
  private final Timer latency;
  private final Counter streamReads;
  private final Counter streamLost;
  private final Counter compressions;
  private final Counter deflateRaw;
  private final Counter deflateCompressed;

  public GatewayStats(MeterRegistry registry) {
    this.registry = registry;
    for (ErrorCode code : ErrorCode.values()) {
      errors.put(code, Counter.builder("switchboard.errors")
        .description("Error frames and refusals, by code").tag("code", code.code()).register(registry));
    }
    out = Counter.builder("switchboard.messages.out").description("Frames written to sockets").register(registry);
    // Data frames bypass Vert.x's write path, so vertx_http_server_bytes_written_total no longer
    // sees them: this is the outbound bandwidth of the sockets.
    bytesOut = Counter.builder("switchboard.bytes.out")
      .description("Bytes of data frames (deliveries and replies, WebSocket header included) written to sockets").register(registry);
    dropped = Counter.builder("switchboard.messages.dropped")
      .description("Deliveries dropped because a socket's write queue was full").register(registry);
    deliveries = Counter.builder("switchboard.deliveries")
      .description("Group messages received by this gateway (each written to all its local members)").register(registry);
    latency = Timer.builder("switchboard.delivery.latency")
      .description("From publication at the source to the write to local sockets")
      .publishPercentileHistogram()
      .minimumExpectedValue(Duration.ofNanos(100_000))
      .maximumExpectedValue(Duration.ofSeconds(10))
      .register(registry);
    streamReads = Counter.builder("switchboard.stream.reads")
      .description("History reads of stream groups to deliver what the event bus did not bring in order (gaps, quiet spells, new epochs)")
      .register(registry);
    streamLost = Counter.builder("switchboard.stream.lost")
      .description("Stream offsets this gateway could not deliver: gone from the history before it read them").register(registry);
    compressions = Counter.builder("switchboard.deflate.compressions")
      .description("Messages compressed for permessage-deflate (once per group message, however many sockets get it)")
      .register(registry);
    deflateRaw = Counter.builder("switchboard.deflate.bytes").tag("form", "raw")
      .description("Frames written compressed to sockets: their size uncompressed, and as written").register(registry);
    deflateCompressed = Counter.builder("switchboard.deflate.bytes").tag("form", "compressed")
      .description("Frames written compressed to sockets: their size uncompressed, and as written").register(registry);
  }

  /** One message compressed (for any number of sockets). */
  public void compressed() {
    compressions.increment();
  }

  /** {@code frames} compressed frames written: their bytes uncompressed and as written, in total. */
  public void deflatedOut(int frames, long rawBytes, long compressedBytes) {
    if (frames > 0) {
      deflateRaw.increment(rawBytes);
      deflateCompressed.increment(compressedBytes);
    }
  }

  public MeterRegistry registry() {
    return registry;
  }

  /**
   * The counters of one WebSocket endpoint, tagged with its route; taken once per endpoint at
   * wiring, so that counting a message is no map lookup.
   */
  public EndpointCounters endpoint(String route) {
    EndpointCounters counters = new EndpointCounters(
      Counter.builder("switchboard.connections.opened")
        .description("WebSocket connections accepted").tag("endpoint", route).register(registry),
      Counter.builder("switchboard.messages.in")
        .description("WebSocket messages received from clients").tag("endpoint", route).register(registry));
    endpoints.add(counters);
    return counters;
  }

  /** Connections accepted and messages received on one endpoint. */
  public record EndpointCounters(Counter opened, Counter in) {
    public void connectionOpened() {
      opened.increment();
    }

    /** A whole message from a client, counted before the limits decide whether it is handled. */
    public void messageIn() {
      in.increment();
    }
  }

  /** A delivery of {@code frameBytes} written to one socket. */
  public void messageOut(int frameBytes) {
    out.increment();
    bytesOut.increment(frameBytes);
  }

  /** A reply frame (ack, pong, error...) of {@code frameBytes} written to one socket. */
  public void replyOut(int frameBytes) {
    bytesOut.increment(frameBytes);
  }

  public void messageDropped() {
    dropped.increment();
  }

  public void error(ErrorCode code) {
    errors.get(code).increment();
  }

  /** One group message written to this gateway's sockets, published at {@code publishedAt} (epoch ms). */
  public void delivered(long publishedAt) {
    deliveries.increment();
    long ms = System.currentTimeMillis() - publishedAt;
    latency.record(Math.max(0, ms), TimeUnit.MILLISECONDS);
  }

  /** A history read to fill a stream group's gap. */
  public void streamRead() {
    streamReads.increment();
  }

  /** Offsets of a stream group skipped because the history no longer had them. */
  public void streamLost(long offsets) {
    streamLost.increment(offsets);
  }

  public long messagesDropped() {
    return (long) dropped.count();
  }

  public JsonObject toJson() {
    JsonObject errorCounts = new JsonObject();
    errors.forEach((code, counter) -> {
      if (counter.count() > 0) {
        errorCounts.put(code.code(), (long) counter.count());
      }
    });
    return new JsonObject()
      .put("connectionsOpened", (long) endpoints.stream().mapToDouble(e -> e.opened().count()).sum())
      .put("messagesIn", (long) endpoints.stream().mapToDouble(e -> e.in().count()).sum())
      .put("messagesOut", (long) out.count())
      .put("messagesDropped", (long) dropped.count())
      .put("deliveries", (long) deliveries.count())
      .put("streamReads", (long) streamReads.count())
      .put("streamLost", (long) streamLost.count())
      .put("errors", errorCounts);
  }
}
