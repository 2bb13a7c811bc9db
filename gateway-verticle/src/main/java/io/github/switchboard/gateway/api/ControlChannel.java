package io.github.switchboard.gateway.api;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How a server API call reaches every gateway: each gateway takes commands on its own event bus
 * address {@code switchboard.gateway.<id>}, and the gateway that got the call asks each one
 * listed in the {@link GatewayDirectory} (itself included) and gathers the answers. A request,
 * not a publish, so the caller knows which gateways did it and which did not answer within
 * {@code gatherTimeoutMs} (listed as unreachable, never counted as done).
 */
public final class ControlChannel {

  public static final String ADDRESS_PREFIX = "switchboard.gateway.";
  private static final Logger log = LoggerFactory.getLogger(ControlChannel.class);

  private final Vertx vertx;
  private final GatewayDirectory directory;
  private final LocalCommands local;
  private final long timeoutMs;
  private MessageConsumer<JsonObject> consumer;

  /** What every gateway answered, by id; those that did not; and their directory entries. */
  public record Gathered(Map<String, JsonObject> answers, List<String> unreachable, Map<String, JsonObject> gateways) {

    /** The sum of an integer field over the answers. */
    public int sum(String field) {
      return answers.values().stream().mapToInt(a -> a.getInteger(field, 0)).sum();
    }
  }

  public ControlChannel(Vertx vertx, GatewayDirectory directory, LocalCommands local, long timeoutMs) {
    this.vertx = vertx;
    this.directory = directory;
    this.local = local;
    this.timeoutMs = timeoutMs;
  }

  /** Takes commands, then enters the directory: a gateway listed there can be asked. */
  public Future<Void> start() {
    consumer = vertx.eventBus().consumer(ADDRESS_PREFIX + directory.self(), message -> {
      JsonObject command = message.body();
      local.handle(command).onComplete(ar -> {
        if (ar.succeeded()) {
          message.reply(ar.result());
        } else {
          log.warn("gateway={} command {} failed: {}", directory.self(), command.getString("op"), ar.cause().getMessage());
          message.fail(500, String.valueOf(ar.cause().getMessage()));
        }
      });
    });
    return consumer.completion().compose(v -> directory.start());
  }

  public Future<Void> stop() {
    Future<Void> left = directory.stop();
    return consumer == null ? left : left.compose(v -> consumer.unregister());
  }

  /** Sends the command to one gateway (fails when it is unknown, gone, or silent for the timeout). */
  public Future<JsonObject> askOne(String gatewayId, JsonObject command) {
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(timeoutMs);
    return vertx.eventBus().<JsonObject>request(ADDRESS_PREFIX + gatewayId, command, options).map(reply -> reply.body());
  }

  /** Sends the command to every gateway and completes once each has answered or timed out. */
  public Future<Gathered> ask(JsonObject command) {
    return directory.gateways().compose(gateways -> {
      Map<String, JsonObject> answers = new TreeMap<>();
      List<String> unreachable = new ArrayList<>();
      List<Future<?>> calls = new ArrayList<>();
      DeliveryOptions options = new DeliveryOptions().setSendTimeout(timeoutMs);
      for (String id : gateways.keySet()) {
        calls.add(vertx.eventBus().<JsonObject>request(ADDRESS_PREFIX + id, command, options).andThen(ar -> {
          if (ar.succeeded()) {
            answers.put(id, ar.result().body());
          } else {
            log.info("gateway={} did not answer {}: {}", id, command.getString("op"), ar.cause().getMessage());
            unreachable.add(id);
          }
        }));
      }
      return Future.join(calls).transform(ar -> Future.succeededFuture(new Gathered(answers, unreachable, gateways)));
    });
  }
}
