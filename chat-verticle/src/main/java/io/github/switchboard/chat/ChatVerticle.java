package io.github.switchboard.chat;

import com.hazelcast.core.HazelcastInstance;
import io.github.switchboard.coordination.ActiveStandbyService;
import io.github.switchboard.coordination.StoreUnavailableException;
import io.github.switchboard.coordination.history.HazelcastStreamHistory;
import io.github.switchboard.coordination.history.LocalStreamHistory;
import io.github.switchboard.coordination.history.StreamHistory;
import io.github.switchboard.coordination.history.StreamLimitException;
import io.github.switchboard.protocol.Addresses;
import io.github.switchboard.protocol.Delivery;
import io.github.switchboard.protocol.ErrorCode;
import io.github.switchboard.protocol.Groups;
import io.github.switchboard.protocol.ProtocolException;
import io.github.switchboard.protocol.ServiceErrors;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.backends.BackendRegistries;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The chat service: takes messages from gateways, validates and numbers them, stores them and
 * publishes each once to {@code group.chat.<room>}.
 *
 * <p>Ordering: every chat instance takes messages (the event bus spreads the gateways'
 * requests over them), so no one instance carries every room. A room's seq is assigned where
 * the room lives, by the history's entry processor on the member that owns its partition:
 * unique and gap-free whichever instance appends. Within one instance the appends of a room
 * are chained, and a gateway sends a room's messages one at a time, so one client's messages
 * keep their order; messages of one room published by two instances at once may reach a
 * gateway out of seq order, and the gateway's stream cursor delivers them in order. The
 * {@code chat} leadership only decides which instance frees expired rooms (the sweep); any
 * instance answers history reads. An instance that dies takes only its requests in flight
 * with it (the gateways' retries reach another).
 *
 * <p>Rooms are named by clients, so the rooms with a history are bounded ({@code maxRooms}) and
 * each is freed {@code historyTtlMs} after its last message (see {@link StreamHistory}). A stored
 * message is the JSON the room's clients get, without its {@code seq} and {@code epoch}: the
 * history's offset is the seq and the room's epoch says which numbering it counts in (a room
 * freed and opened again starts at 1 in a new epoch); both are added when the message is
 * published or read back.
 */
public class ChatVerticle extends ActiveStandbyService {

  private static final Logger log = LoggerFactory.getLogger(ChatVerticle.class);

  private ChatOptions options;
  /** The history map in the cluster: one for every room. */
  public static final String HISTORY_MAP = "switchboard.chat.history";
  /** Refusals at the room bound are logged at most this often, with how many there were. */
  private static final long LIMIT_LOG_EVERY_NANOS = 10_000_000_000L;

  private StreamHistory history;
  private long limitLoggedAt = System.nanoTime() - LIMIT_LOG_EVERY_NANOS;
  private long limitRefusals;
  private MessageConsumer<JsonObject> intake;
  /** Messages this instance stored (served at /metrics as switchboard_chat_messages_stored_total). */
  private Counter storedCount;
  private Timer storeTime;
  /** Tail of each room's chain of appends: the next append waits for it. */
  private final Map<String, Future<?>> roomTails = new HashMap<>();

  public ChatVerticle() {
    super("chat");
  }

  @Override
  protected void readSettings(JsonObject config, Map<String, String> env) {
    options = ChatOptions.from(config, env);
  }

  @Override
  protected Future<Void> openStorage(Optional<HazelcastInstance> hazelcast) {
    MeterRegistry found = BackendRegistries.getDefaultNow();
    MeterRegistry registry = found == null ? new SimpleMeterRegistry() : found;
    storedCount = Counter.builder("switchboard.chat.messages.stored")
      .description("Chat messages this chat instance numbered and stored (every instance takes messages)")
      .register(registry);
    // The chat service's share of a chat message's way (docs/benchmarks.md breaks the rest down).
    storeTime = Timer.builder("switchboard.chat.store")
      .description("From a chat message's arrival at the chat service to its answer: the wait behind the room's"
        + " message before it, the append and the commit in the history")
      .register(registry);
    if (hazelcast.isPresent()) {
      // Written through to PostgreSQL when the data members' config says so (the launcher's
      // ClusterConfigLoader, from SWITCHBOARD_HISTORY_DB_URL; docs/operations.md).
      HazelcastStreamHistory store = new HazelcastStreamHistory(vertx, hazelcast.get(), HISTORY_MAP, options.maxRooms());
      // Every instance appends; the role holder alone frees expired rooms.
      store.sweepWhen(this::holdsRole);
      history = store;
      return Future.succeededFuture();
    }
    // Embedded: in this JVM, and in the rooms' history file when the gateway keeps one.
    return LocalStreamHistory.openShared(vertx, HISTORY_MAP, options.maxRooms(), options.historyFiles())
      .onSuccess(store -> history = store)
      .mapEmpty();
  }

  /** Every instance takes messages and answers history and position reads. */
  @Override
  protected Future<Void> registerConsumers() {
    intake = vertx.eventBus().consumer(Addresses.CHAT_INTAKE, this::intake);
    log.info("Chat intake open (history {} per room for {} ms after the last message, at most {} rooms, {})",
      options.historySize(), options.historyTtlMs(), options.maxRooms(),
      vertx.isClustered() ? "in the cluster map " + HISTORY_MAP : "in this JVM");
    return Future.all(intake.completion(),
      vertx.eventBus().<JsonObject>consumer(Addresses.CHAT_HISTORY, this::history).completion(),
      vertx.eventBus().<JsonObject>consumer(Addresses.CHAT_POSITIONS, this::positions).completion()).mapEmpty();
  }

  @Override
  protected void becomeActive() {
    log.info("Chat: this instance frees rooms {} ms after their last message (the chat role)", options.historyTtlMs());
  }

  @Override
  protected Future<Void> stopTakingWork() {
    return intake == null ? Future.succeededFuture() : intake.unregister();
  }

  /**
   * Appends still under way finish before the role is released, so the next active instance
   * never writes a room at the same time as this one. A failed append has been answered already.
   */
  @Override
  protected Future<Void> finishInFlight() {
    return Future.join(new ArrayList<>(roomTails.values())).otherwiseEmpty().<Void>mapEmpty()
      // Waited for: an embedded history file must be written and let go before a next start opens it.
      .eventually(() -> history == null ? Future.succeededFuture() : history.close());
  }

  private void intake(Message<JsonObject> request) {
    JsonObject body = request.body();
    String room = body == null ? null : body.getString("room");
    String sender = body == null ? null : body.getString("sender");
    if (!Groups.isValidRoom(room) || sender == null || sender.isEmpty()) {
      ServiceErrors.refuse(request, ErrorCode.INVALID_FIELD, "a chat request needs a valid room and a sender");
      return;
    }
    String text;
    try {
      text = MessageText.clean(body.getValue("message"), options.maxMessageLength());
    } catch (ProtocolException e) {
      ServiceErrors.refuse(request, e.code(), e.getMessage());
      return;
    }
    long arrived = System.nanoTime();
    String id = UUID.randomUUID().toString();
    long ts = System.currentTimeMillis();
    JsonObject message = new JsonObject().put("type", "chat").put("message", text).put("room", room)
      .put("sender", sender).put("id", id).put("ts", ts);
    Future<?> previous = roomTails.getOrDefault(room, Future.succeededFuture());
    Future<JsonObject> stored = previous
      // The message id is the publish id: a repeat of an append whose backup did not answer
      // finds the first one instead of storing the message twice.
      .transform(ignored -> history.append(room, message.encode(), ts, options.historyPolicy(), id))
      .map(appended -> message.put("seq", appended.offset()).put("epoch", appended.epoch()))
      .onSuccess(this::publish);
    roomTails.put(room, stored);
    stored.onComplete(ar -> {
      if (roomTails.get(room) == stored) {
        roomTails.remove(room);
      }
      if (ar.succeeded()) {
        storedCount.increment();
        storeTime.record(System.nanoTime() - arrived, TimeUnit.NANOSECONDS);
        request.reply(new JsonObject().put("seq", ar.result().getLong("seq")).put("epoch", ar.result().getString("epoch"))
          .put("id", id));
      } else if (ar.cause() instanceof StreamLimitException limit) {
        refusedAtTheBound(room, limit);
        ServiceErrors.refuse(request, ErrorCode.LIMIT_REACHED, "room '" + room + "' not opened: the chat holds "
          + options.maxRooms() + " rooms, the most allowed; try again later");
      } else if (ar.cause() instanceof StoreUnavailableException unavailable) {
        log.warn("room={} message from {} not acknowledged: {}", room, sender, unavailable.getMessage());
        ServiceErrors.refuse(request, unavailable.indeterminate() ? ErrorCode.TIMEOUT : ErrorCode.SERVICE_UNAVAILABLE,
          "message not acknowledged: " + unavailable.getMessage());
      } else {
        log.error("room={} message from {} not stored: {}", room, sender, ar.cause().getMessage(), ar.cause());
        request.fail(500, "chat message could not be stored");
      }
    });
  }

  /** Once per interval at most: a client opening rooms in a loop must not flood the log too. */
  private void refusedAtTheBound(String room, StreamLimitException limit) {
    limitRefusals++;
    long now = System.nanoTime();
    if (now - limitLoggedAt >= LIMIT_LOG_EVERY_NANOS) {
      log.warn("room={} {} ({} new rooms refused since the last such line; maxRooms={})", room, limit.getMessage(),
        limitRefusals, options.maxRooms());
      limitLoggedAt = now;
      limitRefusals = 0;
    }
  }

  private void publish(JsonObject message) {
    String room = message.getString("room");
    Delivery delivery = new Delivery(Delivery.Kind.JSON, message.getLong("seq"), message.getString("sender"), true,
      message.getLong("ts"), message.encode().getBytes(StandardCharsets.UTF_8), message.getString("epoch"));
    vertx.eventBus().publish(Groups.address(Groups.chat(room)), delivery.encode());
  }

  /** Rooms in one positions request at most: a gateway asks in batches of 1,000. */
  static final int MAX_POSITIONS = 10_000;

  /**
   * {@code {rooms:[...]}} -> {@code {room: {top, epoch}}} for each room that has a history: one
   * read of the store for all of them (the gateways' position check).
   */
  private void positions(Message<JsonObject> request) {
    JsonObject body = request.body();
    JsonArray rooms = body == null ? null : body.getJsonArray("rooms");
    if (rooms == null || rooms.size() > MAX_POSITIONS) {
      ServiceErrors.refuse(request, ErrorCode.INVALID_FIELD, "'rooms' must be an array of at most " + MAX_POSITIONS + " rooms");
      return;
    }
    java.util.List<String> names = new ArrayList<>(rooms.size());
    for (Object room : rooms) {
      if (!(room instanceof String name) || !Groups.isValidRoom(name)) {
        ServiceErrors.refuse(request, ErrorCode.INVALID_FIELD, "invalid room: " + room);
        return;
      }
      names.add(name);
    }
    history.positions(names).onComplete(ar -> {
      if (ar.succeeded()) {
        JsonObject reply = new JsonObject();
        ar.result().forEach((room, position) ->
          reply.put(room, new JsonObject().put("top", position.top()).put("epoch", position.epoch())));
        request.reply(reply);
      } else if (ar.cause() instanceof StoreUnavailableException unavailable) {
        log.warn("positions of {} rooms not read now: {}", names.size(), unavailable.getMessage());
        ServiceErrors.refuse(request, ErrorCode.SERVICE_UNAVAILABLE, "positions not read: " + unavailable.getMessage());
      } else {
        log.error("positions of {} rooms unreadable: {}", names.size(), ar.cause().getMessage(), ar.cause());
        request.fail(500, "positions could not be read");
      }
    });
  }

  /**
   * {@code {room, since?}} -> {@code {messages:[...], recovered, epoch, top}}: the stored
   * messages after {@code since}, whether none is missing, and where the room stands (epoch
   * null and top 0 for a room with no history).
   */
  private void history(Message<JsonObject> request) {
    JsonObject body = request.body();
    String room = body == null ? null : body.getString("room");
    if (!Groups.isValidRoom(room)) {
      ServiceErrors.refuse(request, ErrorCode.INVALID_FIELD, "invalid room");
      return;
    }
    Long since = body.getLong("since");
    history.since(room, since == null ? 0 : since).onComplete(ar -> {
      if (ar.succeeded()) {
        StreamHistory.Page page = ar.result();
        JsonArray messages = new JsonArray();
        for (StreamHistory.Entry entry : page.entries()) {
          messages.add(new JsonObject(entry.payload()).put("seq", entry.offset()).put("epoch", page.epoch()));
        }
        request.reply(new JsonObject().put("messages", messages).put("recovered", page.complete())
          .put("epoch", page.epoch()).put("top", page.top()));
      } else if (ar.cause() instanceof StoreUnavailableException unavailable) {
        log.warn("room={} history not read now: {}", room, unavailable.getMessage());
        ServiceErrors.refuse(request, ErrorCode.SERVICE_UNAVAILABLE, "history not read: " + unavailable.getMessage());
      } else {
        log.error("room={} history read failed: {}", room, ar.cause().getMessage(), ar.cause());
        request.fail(500, "history could not be read");
      }
    });
  }
}
