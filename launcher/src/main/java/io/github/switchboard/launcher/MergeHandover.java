package io.github.switchboard.launcher;

import com.hazelcast.config.Config;
import com.hazelcast.config.MapConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.instance.impl.HazelcastInstanceProxy;
import com.hazelcast.internal.partition.IPartitionService;
import com.hazelcast.internal.serialization.SerializationService;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import com.hazelcast.map.impl.MapService;
import com.hazelcast.map.impl.MapServiceContext;
import com.hazelcast.map.impl.PartitionContainer;
import com.hazelcast.map.impl.recordstore.RecordStore;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import com.hazelcast.spi.impl.NodeEngineImpl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * What a data member owned when it started merging into the other side of a split, kept until
 * the merged cluster is known to hold it (or, past a limit, given up with an error).
 *
 * <p>Why: Hazelcast hands a merging member's entries over in batches of merge operations and
 * does not retry a batch that failed: the batch's error ends the merge of that map and the rest
 * of the member's entries are dropped, and Hazelcast still reports the merge done. A merge
 * operation fails when its backup does not answer within the backup timeout (the cluster runs
 * with {@code hazelcast.operation.fail.on.indeterminate.state}, so that no client write is
 * acknowledged with one copy): seen in a CI run of PartitionTest's kill-during-split case, where
 * the acknowledged history of a room was lost and the room started again in a new epoch.
 *
 * <p>How: {@link #take} copies, when Hazelcast announces the merge and before it resets the
 * member, every entry this member owns of each map whose merge policy is a {@link MergeOrder}
 * and orders the value. After the merge, {@link #replay} applies each copy again on its owner
 * with the policy's own decision ({@link Apply}: kept when the owner has no copy or a copy that
 * got less far), and forgets the copies that were applied. A failed write (no quorum yet, a
 * backup that did not answer) is tried again by the next replay. The merge barrier keeps the
 * member unmarked, and so every write of the cluster refused, until nothing is left to replay.
 *
 * <p>Limit: {@value #TIMEOUT_PROPERTY} (a Hazelcast property in cluster.xml, or a system
 * property; {@value #DEFAULT_TIMEOUT_MS} ms by default) after the merge started, the copies still
 * not applied are dropped with an error naming them, and the member marks itself: holding every
 * write of the cluster for ever would be an outage, where a copy that cannot be applied in a
 * minute (a write refused for good) is one entry at risk, logged.
 *
 * <p>The entries are read from Hazelcast's record stores directly (internal API): the map's
 * split-brain protection refuses reads on a side without the quorum, which is the side that
 * usually merges. They are read outside the partition threads, as Hazelcast's own merge reads
 * them; a write that lands on this side while it is read is the write Hazelcast's merge would
 * have dropped too.
 */
final class MergeHandover {

  private static final Logger log = LoggerFactory.getLogger(MergeHandover.class);
  /** How long one replay waits for its writes before leaving the rest to the next one. */
  static final long REPLAY_TIMEOUT_MS = 10_000;
  static final String TIMEOUT_PROPERTY = "switchboard.cluster.merge.handover.timeout.millis";
  static final long DEFAULT_TIMEOUT_MS = 60_000;

  private final HazelcastInstance hazelcast;
  private final long timeoutMs;
  private final LongSupplier clockMs;
  /** The copies not yet known to be in the cluster, by map and key. */
  private final Map<Held, Object> held = new ConcurrentHashMap<>();
  /** When the copies were taken (the merge's start), for the limit. */
  private volatile long takenAt;

  MergeHandover(HazelcastInstance hazelcast, long timeoutMs, LongSupplier clockMs) {
    this.hazelcast = hazelcast;
    this.timeoutMs = timeoutMs;
    this.clockMs = clockMs;
  }

  /** {@value #TIMEOUT_PROPERTY}: a positive number of milliseconds, from the config or the system properties. */
  static long timeoutMs(Config config, Properties system) {
    String value = ClusterConfigLoader.launcherSetting(config, system, TIMEOUT_PROPERTY);
    if (value == null) {
      return DEFAULT_TIMEOUT_MS;
    }
    try {
      long ms = Long.parseLong(value.strip());
      if (ms > 0) {
        return ms;
      }
    } catch (NumberFormatException e) {
      // the message below
    }
    throw new IllegalArgumentException(TIMEOUT_PROPERTY + " must be a positive number of milliseconds, not '" + value + "'");
  }

  /** A map entry's place: the map and the key (deserialized). */
  record Held(String map, Object key) {
  }

  /** Whether copies are still waiting to be applied. */
  boolean pending() {
    return !held.isEmpty();
  }

  /**
   * Copies this member's own entries of every map ordered by a {@link MergeOrder}. Call it before
   * Hazelcast resets the member for the merge; returns how many were copied.
   */
  int take() {
    NodeEngineImpl nodeEngine = ((HazelcastInstanceProxy) hazelcast).getOriginal().node.getNodeEngine();
    MapServiceContext maps = nodeEngine.<MapService>getService(MapService.SERVICE_NAME).getMapServiceContext();
    IPartitionService partitions = nodeEngine.getPartitionService();
    SerializationService serialization = nodeEngine.getSerializationService();
    Map<String, MergeOrder> orders = new HashMap<>();
    takenAt = clockMs.getAsLong();
    int taken = 0;
    for (PartitionContainer container : maps.getPartitionContainers()) {
      if (!partitions.isPartitionOwner(container.getPartitionId())) {
        continue;
      }
      for (RecordStore<?> store : container.getAllRecordStores()) {
        MergeOrder order = orders.computeIfAbsent(store.getName(), this::orderOf);
        if (order == NONE) {
          continue;
        }
        List<Object[]> entries = new ArrayList<>();
        store.forEach((key, record) -> entries.add(new Object[] {key, record.getValue()}), false, true);
        for (Object[] entry : entries) {
          Object value = serialization.toObject(entry[1]);
          if (value != null && order.orders(value)) {
            held.merge(new Held(store.getName(), serialization.toObject(entry[0])), value,
              (kept, candidate) -> order.further(candidate, kept) ? candidate : kept);
            taken++;
          }
        }
      }
    }
    return taken;
  }

  /**
   * Applies every held copy through its map's policy on the entry's owner and forgets those
   * that were applied. Returns true when nothing is left; the rest is tried again next time.
   * Blocks (up to {@value #REPLAY_TIMEOUT_MS} ms): call it off the event loops.
   */
  boolean replay() {
    if (held.isEmpty()) {
      return true;
    }
    Map<Held, CompletableFuture<Boolean>> writes = new HashMap<>();
    held.forEach((place, value) -> {
      IMap<Object, Object> map = hazelcast.getMap(place.map());
      String policy = hazelcast.getConfig().findMapConfig(place.map()).getMergePolicyConfig().getPolicy();
      writes.put(place, map.submitToKey(place.key(), new Apply(policy, value)).toCompletableFuture());
    });
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(REPLAY_TIMEOUT_MS);
    List<Held> restored = new ArrayList<>();
    int failed = 0;
    Throwable firstError = null;
    for (Map.Entry<Held, CompletableFuture<Boolean>> write : writes.entrySet()) {
      try {
        long left = Math.max(0, deadline - System.nanoTime());
        if (write.getValue().get(left, TimeUnit.NANOSECONDS)) {
          restored.add(write.getKey());
        }
        held.remove(write.getKey());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      } catch (Exception e) {
        failed++;
        firstError = firstError == null ? e : firstError;
      }
    }
    if (!restored.isEmpty()) {
      log.warn("Merge handover: {} entries the merge had not brought in were applied again ({} copies checked): {}",
        restored.size(), writes.size(), restored.subList(0, Math.min(10, restored.size())));
    }
    if (failed > 0 && clockMs.getAsLong() - takenAt >= timeoutMs) {
      List<Held> dropped = new ArrayList<>(held.keySet());
      held.clear();
      log.error("Merge handover: gave up on {} entries not applied within {} ms of the merge ({}); the merged cluster"
          + " may miss them: {}; last error: {}", dropped.size(), timeoutMs, TIMEOUT_PROPERTY,
        dropped.subList(0, Math.min(10, dropped.size())), firstError.toString());
    } else if (failed > 0) {
      log.warn("Merge handover: {} of {} entries not applied yet, tried again shortly: {}", failed, writes.size(),
        firstError.toString());
    }
    return held.isEmpty();
  }

  private MergeOrder orderOf(String mapName) {
    MapConfig config = hazelcast.getConfig().findMapConfig(mapName);
    return Apply.order(config.getMergePolicyConfig().getPolicy());
  }

  private static final MergeOrder NONE = new MergeOrder() {
    @Override
    public boolean orders(Object value) {
      return false;
    }

    @Override
    public boolean further(Object candidate, Object kept) {
      return false;
    }
  };

  /**
   * Runs on the entry's owner (and its backups): keeps the copy when there is none, or when the
   * map's {@link MergeOrder} says it got further than the one there. Returns whether it wrote.
   */
  public static final class Apply implements EntryProcessor<Object, Object, Boolean>, DataSerializable {

    private String policy;
    private Object value;

    /** For Hazelcast's deserialization. */
    public Apply() {
    }

    Apply(String policy, Object value) {
      this.policy = policy;
      this.value = value;
    }

    @Override
    public Boolean process(Map.Entry<Object, Object> entry) {
      Object existing = entry.getValue();
      if (existing == null || order(policy).further(value, existing)) {
        entry.setValue(value);
        return true;
      }
      return false;
    }

    static MergeOrder order(String policy) {
      try {
        Object instance = Class.forName(policy).getDeclaredConstructor().newInstance();
        return instance instanceof MergeOrder order ? order : NONE;
      } catch (ReflectiveOperationException | LinkageError e) {
        return NONE;
      }
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeString(policy);
      out.writeObject(value);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      policy = in.readString();
      value = in.readObject();
    }
  }
}
