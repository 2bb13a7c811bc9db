package io.github.switchboard.gateway.endpoint;

import io.github.switchboard.gateway.auth.GroupPolicy;
import io.github.switchboard.gateway.auth.Principal;
import io.github.switchboard.gateway.config.LimitOptions;
import io.github.switchboard.gateway.fanout.GroupRegistry;
import io.github.switchboard.gateway.metrics.GatewayStats;
import io.github.switchboard.gateway.proxy.GroupHooks;
import io.github.switchboard.protocol.Delivery;
import io.github.switchboard.protocol.ErrorCode;
import io.github.switchboard.protocol.Groups;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Vert.x's event-bus bridge protocol (what {@code @vertx/eventbus-bridge-client.js} speaks over
 * SockJS) mapped onto groups: a bridge address is a group. {@code register} subscribes, {@code
 * unregister} leaves, {@code publish} publishes, {@code send} publishes too and, with a reply
 * address, answers there with the ack ({@code {"offset":N,"epoch":E}}); deliveries arrive as
 * {@code rec} messages. The same group rules and token as {@code /ws}, the same rate and size
 * limits, the backend's subscribe and publish hooks, the same publish path ({@link GroupPublish});
 * refusals are {@code err} messages.
 *
 * <p>Not a raw bridge onto the event bus: the gateway's internal addresses stay out of reach,
 * and a group's deliveries come from the gateway's one consumer of that group (this bridge
 * observes it once per group, for all its clients), not from one event-bus consumer per browser.
 * Event loop only.
 */
public final class EventBusBridge {

  private static final Logger log = LoggerFactory.getLogger(EventBusBridge.class);

  /** One SockJS connection: its user, groups and rate bucket. */
  private final class Client {
    final SockJSSocket socket;
    final Principal principal;
    final String id;
    final Set<String> groups = new LinkedHashSet<>();
    double tokens = burst;
    long refilledAt = System.nanoTime();

    Client(SockJSSocket socket, Principal principal, String id) {
      this.socket = socket;
      this.principal = principal;
      this.id = id;
    }

    boolean takeToken() {
      long now = System.nanoTime();
      tokens = Math.min(burst, tokens + (now - refilledAt) * ratePerNano);
      refilledAt = now;
      if (tokens < 1) {
        return false;
      }
      tokens -= 1;
      return true;
    }
  }

  /** The bridge clients of one group, fed by one observer of the group's consumer. */
  private static final class BridgeGroup {
    final Set<Client> clients = new LinkedHashSet<>();
    Consumer<Delivery> observer;
  }

  private final GroupRegistry groups;
  private final GroupPolicy policy;
  private final GroupPublish publisher;
  private final GroupHooks hooks;
  private final GatewayStats stats;
  private final GatewayStats.EndpointCounters counters;
  private final int maxMessageBytes;
  private final int maxSubscriptions;
  private final double burst;
  private final double ratePerNano;
  private final Map<String, BridgeGroup> byGroup = new HashMap<>();
  private final Set<Client> clients = new LinkedHashSet<>();

  public EventBusBridge(GroupRegistry groups, GroupPolicy policy, GroupPublish publisher, GroupHooks hooks,
                        GatewayStats stats, int maxMessageBytes, LimitOptions limits) {
    this.hooks = hooks;
    this.groups = groups;
    this.policy = policy;
    this.publisher = publisher;
    this.stats = stats;
    this.counters = stats.endpoint("/eventbus");
    this.maxMessageBytes = maxMessageBytes;
    this.maxSubscriptions = limits.maxSubscriptions();
    this.burst = limits.rateLimitBurst();
    this.ratePerNano = limits.rateLimitPerSecond() / 1e9;
  }

  /** An admitted SockJS connection (principal null: anonymous). */
  public void open(SockJSSocket socket, Principal principal, String connectionId) {
    Client client = new Client(socket, principal, connectionId);
    clients.add(client);
    counters.connectionOpened();
    socket.handler(buffer -> received(client, buffer));
    socket.endHandler(v -> closed(client));
    socket.exceptionHandler(e -> log.debug("bridge conn={} error: {}", connectionId, e.toString()));
  }

  public int size() {
    return clients.size();
  }

  /** Closes every bridge connection (a gateway draining); their clients reconnect elsewhere. */
  public void closeAll() {
    for (Client client : new ArrayList<>(clients)) {
      client.socket.close(1001, "gateway shutting down");
    }
  }

  private void received(Client client, Buffer buffer) {
    counters.messageIn();
    if (buffer.length() > maxMessageBytes) {
      err(client, null, ErrorCode.TOO_LARGE, "message larger than " + maxMessageBytes + " bytes");
      return;
    }
    if (client.principal != null && client.principal.expired(System.currentTimeMillis())) {
      err(client, null, ErrorCode.UNAUTHORIZED, "token expired");
      client.socket.close(1008, "token expired");
      return;
    }
    JsonObject frame;
    try {
      frame = new JsonObject(buffer);
    } catch (DecodeException | ClassCastException e) {
      err(client, null, ErrorCode.INVALID_JSON, "not a JSON object");
      return;
    }
    String type = frame.getValue("type") instanceof String t ? t : "";
    if (type.equals("ping")) {
      return;
    }
    if (!client.takeToken()) {
      err(client, frame.getValue("address") instanceof String a ? a : null, ErrorCode.RATE_LIMITED,
        "more than " + (long) (ratePerNano * 1e9) + " messages per second");
      return;
    }
    Object address = frame.getValue("address");
    if (!(address instanceof String group) || !Groups.isValidName(group)) {
      err(client, null, ErrorCode.INVALID_GROUP, "address must be a group name [A-Za-z0-9_.:-]{1,128}");
      return;
    }
    switch (type) {
      case "register" -> register(client, group);
      case "unregister" -> unregister(client, group);
      case "publish", "send" -> publish(client, group, frame);
      default -> err(client, group, ErrorCode.UNKNOWN_TYPE, "type must be register, unregister, publish, send or ping");
    }
  }

  private boolean mayRead(Client client, String group) {
    if (Groups.isPersonal(group)) {
      return client.principal != null && group.equals(Groups.personal(client.principal.subject()));
    }
    return policy.maySubscribe(client.principal, group);
  }

  private void register(Client client, String group) {
    if (!mayRead(client, group)) {
      err(client, group, ErrorCode.FORBIDDEN, "subscribing to '" + group + "' is not allowed");
      return;
    }
    if (client.groups.contains(group)) {
      return;
    }
    if (client.groups.size() >= maxSubscriptions) {
      err(client, group, ErrorCode.INVALID_FIELD, "more than " + maxSubscriptions + " groups (maxSubscriptions)");
      return;
    }
    String permissionGroup = Groups.presenceOf(group) != null ? Groups.presenceOf(group) : group;
    if (hooks.asksSubscribe(permissionGroup)) {
      // The backend decides, as for a /ws subscribe.
      hooks.subscribe(group, client.id, user(client)).onSuccess(decision -> {
        if (!clients.contains(client)) {
          return;
        }
        if (decision.allowed()) {
          join(client, group);
        } else {
          err(client, group, decision.error(), decision.message());
        }
      });
      return;
    }
    join(client, group);
  }

  private static String user(Client client) {
    return client.principal == null ? null : client.principal.subject();
  }

  private void join(Client client, String group) {
    if (!client.groups.add(group)) {
      return;
    }
    BridgeGroup bridged = byGroup.get(group);
    if (bridged == null) {
      BridgeGroup created = new BridgeGroup();
      created.observer = delivery -> deliver(group, created, delivery);
      byGroup.put(group, created);
      bridged = created;
      groups.observe(group, created.observer).onFailure(e -> {
        log.warn("bridge group={} not joined: {}", group, e.getMessage());
        for (Client member : new ArrayList<>(created.clients)) {
          err(member, group, ErrorCode.INTERNAL_ERROR, "subscription could not be registered");
          unregister(member, group);
        }
      });
    }
    bridged.clients.add(client);
  }

  private void unregister(Client client, String group) {
    client.groups.remove(group);
    BridgeGroup bridged = byGroup.get(group);
    if (bridged != null && bridged.clients.remove(client) && bridged.clients.isEmpty()) {
      byGroup.remove(group);
      groups.unobserve(group, bridged.observer);
    }
  }

  private void closed(Client client) {
    clients.remove(client);
    for (String group : new ArrayList<>(client.groups)) {
      unregister(client, group);
    }
  }

  /** One delivery, encoded once as a {@code rec} message and written to every client of the group. */
  private void deliver(String group, BridgeGroup bridged, Delivery delivery) {
    if (bridged.clients.isEmpty()) {
      return;
    }
    // Text, once for every client of the group (SockJS frames it per socket; its raw WebSocket
    // sends a string as a text frame).
    String rec = rec(group, delivery);
    for (Client client : bridged.clients) {
      if (!delivery.echo() && client.id.equals(delivery.sender())) {
        continue;
      }
      if (client.socket.writeQueueFull()) {
        stats.messageDropped();
        continue;
      }
      client.socket.write(rec);
      stats.messageOut(rec.length());
    }
  }

  /** {@code {"type":"rec","address":G,"headers":{...},"body":DATA}}: offset and epoch as headers for a stream group. */
  private static String rec(String group, Delivery delivery) {
    StringBuilder json = new StringBuilder(delivery.payload().length + group.length() + 96)
      .append("{\"type\":\"rec\",\"address\":").append(Json.encode(group)).append(",\"headers\":{");
    List<String> headers = new ArrayList<>(3);
    if (delivery.hasSeq()) {
      headers.add("\"offset\":\"" + delivery.seq() + "\"");
    }
    if (delivery.epoch() != null) {
      headers.add("\"epoch\":" + Json.encode(delivery.epoch()));
    }
    if (delivery.kind() == Delivery.Kind.BINARY) {
      headers.add("\"encoding\":\"base64\"");
    }
    json.append(String.join(",", headers)).append("},\"body\":");
    switch (delivery.kind()) {
      case JSON -> json.append(new String(delivery.payload(), StandardCharsets.UTF_8));
      case TEXT -> json.append(Json.encode(new String(delivery.payload(), StandardCharsets.UTF_8)));
      case BINARY -> json.append('"').append(Base64.getEncoder().encodeToString(delivery.payload())).append('"');
    }
    return json.append('}').toString();
  }

  private void publish(Client client, String group, JsonObject frame) {
    Object replyTo = frame.getValue("replyAddress");
    String replyAddress = replyTo instanceof String r ? r : null;
    if (Groups.presenceOf(group) != null || Groups.isPersonal(group) || !policy.mayPublish(client.principal, group)) {
      err(client, replyAddress != null ? replyAddress : group, ErrorCode.FORBIDDEN, "publishing to '" + group + "' is not allowed");
      return;
    }
    String data = Json.encode(frame.getValue("body"));
    if (hooks.asksPublish(group)) {
      // The backend decides, and may replace the data, as for a /ws publish.
      hooks.publish(group, data, client.id, user(client)).onSuccess(decision -> {
        if (!clients.contains(client)) {
          return;
        }
        if (decision.allowed()) {
          publishChecked(client, group, decision.dataJson() != null ? decision.dataJson() : data, replyAddress);
        } else {
          err(client, replyAddress != null ? replyAddress : group, decision.error(), decision.message());
        }
      });
      return;
    }
    publishChecked(client, group, data, replyAddress);
  }

  /** A publish that passed every check: the ack to the reply address, or a refusal. */
  private void publishChecked(Client client, String group, String data, String replyAddress) {
    String sender = client.principal == null ? client.id : client.principal.subject();
    publisher.publish(group, data, client.id, sender).onComplete(ar -> {
      if (replyAddress == null) {
        if (ar.failed()) {
          GroupPublish.Failed failed = (GroupPublish.Failed) ar.cause();
          err(client, group, failed.code(), failed.getMessage());
        }
        return;
      }
      if (ar.succeeded()) {
        JsonObject ack = new JsonObject();
        if (ar.result().offset() != Delivery.NO_SEQ) {
          ack.put("offset", ar.result().offset()).put("epoch", ar.result().epoch());
        }
        client.socket.write(new JsonObject().put("type", "rec").put("address", replyAddress).put("body", ack).encode());
      } else {
        GroupPublish.Failed failed = (GroupPublish.Failed) ar.cause();
        err(client, replyAddress, failed.code(), failed.getMessage());
      }
    });
  }

  /**
   * An {@code err} message: with the address of the register or reply it answers, so the
   * client's handler for that address gets it ({@code failureType} is the protocol's error code).
   */
  private void err(Client client, String address, ErrorCode code, String message) {
    stats.error(code);
    JsonObject err = new JsonObject().put("type", "err").put("failureCode", -1).put("failureType", code.code())
      .put("message", message);
    if (address != null) {
      err.put("address", address);
    }
    client.socket.write(err.encode());
  }
}
