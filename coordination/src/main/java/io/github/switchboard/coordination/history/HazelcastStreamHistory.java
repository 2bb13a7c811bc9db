package io.github.switchboard.coordination.history;

import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MapStoreConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IndeterminateOperationStateException;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicate;
import com.hazelcast.query.Predicates;
import io.github.switchboard.coordination.HazelcastFutures;
import io.github.switchboard.coordination.StoreUnavailableException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Streams in the cluster: one Hazelcast map for all of them, keyed by stream name, each value a
 * {@link StreamLog} with one backup on another member. An append is an entry processor run on
 * the member that owns the stream's partition, so streams are sequenced all over the cluster,
 * and no stream costs a Hazelcast structure of its own (a map or ringbuffer per name cost tens of
 * kilobytes on every member and was never freed).
 *
 * <p>Streams past their TTL are removed by a sweep: one query, every {@link #SWEEP_EVERY_MS}, run
 * on the members that hold them, one entry at a time (an append racing the sweep either comes
 * first and keeps the stream, or comes after and starts it anew). Until the sweep comes, reads
 * and appends treat such a stream as gone. Hazelcast's own per-entry TTL is not used: its
 * background expiry frees a tenth of a partition's expired entries every few seconds, so a
 * burst of 100,000 rooms held its memory for minutes, and an entry it sees as expired is hidden
 * from queries, so no sweep could remove it sooner. By default only a store that has appended
 * sweeps (a gateway that sequenced a stream group): readers leave it to writers; where every
 * instance writes, {@link #sweepWhen} names the one that sweeps (the chat role holder).
 *
 * <p>The map keeps values as objects ({@link InMemoryFormat#OBJECT}): an append changes the ring
 * in place instead of decoding and encoding the whole history each time.
 *
 * <p>The bound on streams is checked against a count of the map, read at most once a second,
 * plus the streams this instance created since. With one writer (the chat service) the count
 * errs on the safe side: streams that expire meanwhile are counted until the next read, and
 * streams created while a read is under way are counted twice until the next one (a read of a
 * large map on a busy member can take seconds: PerNameStateTest saw about 9,000 rooms counted
 * twice while 100,000 were created); so near the bound a new stream may be refused before there
 * is room, but the bound is never passed. With several writers (gateways sequencing stream groups) each adds only what it
 * created itself, so between two counts the writers together may pass the bound by what they
 * create in that second; the next count stops them all.
 * Callbacks run on the context that created this store.
 */
public final class HazelcastStreamHistory implements StreamHistory {

  private static final Logger log = LoggerFactory.getLogger(HazelcastStreamHistory.class);
  private static final long COUNT_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** How often streams past their TTL are removed. */
  public static final long SWEEP_EVERY_MS = 1_000;

  private final Vertx vertx;
  private final Context context;
  private final IMap<String, StreamLog> map;
  private final int maxStreams;
  private long counted;
  private long countedAt = System.nanoTime() - COUNT_EVERY_NANOS;
  private int createdSinceCount;
  private boolean counting;
  private boolean sweeping;
  /** Whether this store sweeps: by default once it has appended (readers leave it to writers). */
  private BooleanSupplier sweeps = () -> this.appended;
  private boolean appended;
  private final long sweepTimer;

  public HazelcastStreamHistory(Vertx vertx, HazelcastInstance hazelcast, String mapName, int maxStreams) {
    this(vertx, hazelcast, mapName, maxStreams, false);
  }

  /**
   * @param persisted the map writes through to PostgreSQL ({@link StreamLogStore}), through the
   *                  config this adds. It only counts where no static config matches the name:
   *                  the launcher's {@code switchboard.*} hides it, so processes get the store
   *                  from the launcher's config instead (ClusterConfigLoader.writeHistoryThrough);
   *                  tests on members of their own use this
   */
  public HazelcastStreamHistory(Vertx vertx, HazelcastInstance hazelcast, String mapName, int maxStreams,
                                boolean persisted) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.maxStreams = maxStreams;
    // Dynamic config reaches every member, whichever of them creates the map's partitions. It
    // starts from what cluster.xml gives the name (the quorum of "switchboard.*" among it). Where
    // a static config matches the name, Hazelcast keeps that one and ignores this: the launcher's
    // "switchboard.*" does, so clustered processes hold these maps in BINARY format, not OBJECT
    // (found in session 14, docs/cluster.md; the OBJECT format applies to maps of other names).
    MapConfig found = hazelcast.getConfig().findMapConfig(mapName);
    MapConfig config = new MapConfig(found).setName(mapName);
    if (mapName.equals(found.getName())) {
      // A config of this very name exists (the launcher's, with the history database's store):
      // it is the one that counts, and Hazelcast refuses a dynamic one beside it.
      persisted = false;
      config = null;
    }
    if (persisted) {
      // Write-through (no delay): an append answers once its row is committed. Streams are read
      // back one by one when first used, never all at start.
      config.setMapStoreConfig(new MapStoreConfig().setEnabled(true).setClassName(StreamLogStore.class.getName())
        .setWriteDelaySeconds(0).setInitialLoadMode(MapStoreConfig.InitialLoadMode.LAZY));
      log.info("map={} writes through to the history database (PostgreSQL) on the data members", mapName);
    }
    if (config != null) {
      hazelcast.getConfig().addMapConfig(config.setInMemoryFormat(InMemoryFormat.OBJECT).setBackupCount(1));
    }
    this.map = hazelcast.getMap(mapName);
    this.sweepTimer = vertx.setPeriodic(SWEEP_EVERY_MS, id -> sweep());
  }

  /**
   * Sweeps only while {@code condition} holds, whether or not this store appends: where many
   * instances write (every chat instance takes messages), one of them is enough.
   */
  public void sweepWhen(BooleanSupplier condition) {
    this.sweeps = condition;
  }

  private void sweep() {
    if (sweeping || !sweeps.getAsBoolean()) {
      return;
    }
    sweeping = true;
    Predicate<String, StreamLog> expired = Predicates.lessEqual("expiresAt", System.currentTimeMillis());
    // removeAll waits for every member: a worker thread.
    vertx.<Void>executeBlocking(() -> {
      map.removeAll(expired);
      return null;
    }, false).onComplete(ar -> {
      sweeping = false;
      if (ar.failed()) {
        log.warn("map={} expired streams not removed (tried again in {} ms): {}", map.getName(), SWEEP_EVERY_MS,
          ar.cause().toString());
      }
    });
  }

  @Override
  public Future<Void> close() {
    vertx.cancelTimer(sweepTimer);
    return Future.succeededFuture();
  }

  @Override
  public Future<Appended> append(String stream, String payload, long timestamp, HistoryPolicy policy, String publishId) {
    appended = true;
    recount();
    boolean mayCreate = counted + createdSinceCount < maxStreams;
    AppendToStream append = new AppendToStream(payload, timestamp, policy, mayCreate, StreamLog.newEpoch(),
      System.currentTimeMillis(), publishId);
    return submit(stream, () -> map.submitToKey(stream, append), publishId == null ? 1 : APPEND_ATTEMPTS).compose(result -> {
      if (result == null) {
        return Future.failedFuture(new StreamLimitException(stream, maxStreams));
      }
      if (result.created()) {
        createdSinceCount++;
      }
      // Stored with its backup: now readers may see it (and only then is it acknowledged).
      CommitToStream commit = new CommitToStream(result.epoch(), result.offset(), System.currentTimeMillis());
      return submit(stream, () -> map.submitToKey(stream, commit), APPEND_ATTEMPTS)
        .recover(e -> Future.failedFuture(StoreUnavailableException.translate(
          // The append is stored (with its backup); only its commit failed: the outcome the
          // caller must report is "may be stored" (timeout), never "nothing stored".
          new IndeterminateOperationStateException("stored at offset " + result.offset() + " but not yet readable: "
            + e.getMessage()))))
        .map(v -> new Appended(result.offset(), result.epoch()));
    });
  }

  /** Tries of a write whose backup did not answer (each repeat is idempotent). */
  static final int APPEND_ATTEMPTS = 3;

  /**
   * Runs the operation; when its backup did not answer in time (the write may or may not be
   * stored: a member died or is cut off), runs it again, up to {@code attempts} times. Only for
   * operations a repeat cannot store twice: an append with a publish id (a repeat finds the first
   * one if it was stored and answers its offset) and a commit.
   */
  private <T> Future<T> submit(String stream, Supplier<CompletionStage<T>> operation, int attempts) {
    return HazelcastFutures.on(context, operation.get()).recover(e -> {
      Throwable error = StoreUnavailableException.translate(e);
      if (error instanceof StoreUnavailableException unavailable && unavailable.indeterminate() && attempts > 1) {
        log.info("map={} stream={} write unconfirmed ({}); trying again", map.getName(), stream, e.getMessage());
        return submit(stream, operation, attempts - 1);
      }
      return Future.failedFuture(error);
    });
  }

  /** Reads the number of streams again if the last count is a second old (off the event loop). */
  private void recount() {
    if (counting || System.nanoTime() - countedAt < COUNT_EVERY_NANOS) {
      return;
    }
    counting = true;
    int createdBefore = createdSinceCount;
    size().onComplete(ar -> {
      counting = false;
      countedAt = System.nanoTime();
      if (ar.succeeded()) {
        counted = ar.result();
        // Streams created while the count ran may or may not be in it: kept, so counted twice.
        createdSinceCount -= createdBefore;
      }
    });
  }

  @Override
  public Future<Page> since(String stream, long afterOffset) {
    return HazelcastFutures.on(context, map.getAsync(stream))
      .recover(e -> Future.failedFuture(StoreUnavailableException.translate(e)))
      .map(log -> log == null || log.getExpiresAt() <= System.currentTimeMillis() ? Page.empty(afterOffset)
        : log.page(afterOffset, System.currentTimeMillis()));
  }

  @Override
  public Future<Map<String, Position>> positions(Collection<String> streams) {
    if (streams.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    Set<String> keys = new HashSet<>(streams);
    return HazelcastFutures.on(context, map.submitToKeys(keys, new ReadPositions(System.currentTimeMillis())))
      .recover(e -> Future.failedFuture(StoreUnavailableException.translate(e)))
      .map(results -> {
        Map<String, Position> out = new HashMap<>(results.size() * 2);
        results.forEach((stream, result) -> {
          if (result != null) {
            out.put(stream, result.position());
          }
        });
        return out;
      });
  }

  @Override
  public Future<Integer> size() {
    // IMap.size() waits for every member's answer: a worker thread, not the event loop.
    return vertx.executeBlocking(map::size, false);
  }
}
