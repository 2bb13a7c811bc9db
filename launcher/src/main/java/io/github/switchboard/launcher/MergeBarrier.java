package io.github.switchboard.launcher;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.EntryAdapter;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.replicatedmap.ReplicatedMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Holds every write of the cluster's maps while a data member that rejoined after a split has
 * not finished handing its data over.
 *
 * <p>Why: when the two sides of a split meet again, Hazelcast keeps one side's copies and sends
 * the other side's entries in afterwards ({@code MergeByProgress} decides between them). In
 * between, the cluster has its quorum again, and the copies it serves may be the stale ones of a
 * side that sat without the quorum while the other side went on. A chat message appended there
 * gets an offset the other side already acknowledged, and the merge then keeps the other copy:
 * one seq acknowledged twice, the later message gone. Seen in PartitionTest's kill-during-split
 * scenario (the sides were even, and Hazelcast kept the stale one) in about one run of three.
 *
 * <p>How: every data member marks its own member id in the replicated map {@value #MAP} once it
 * holds nothing another member still waits for: right after it first joins (a new process has
 * no data of its own), and after a merge once its data is known to be in. A member that merges
 * gets a new member id from Hazelcast, so it is unmarked from the moment it joins until then.
 * Hazelcast's {@code MERGED} event alone does not say so: its merge can drop part of the data and
 * still fire it (a failed merge batch is not retried). So the member also copies what it owns
 * when the merge starts and marks itself only once every copy has been applied again through
 * the maps' merge policies ({@link MergeHandover}). {@link #check} is asked inside
 * every entry processor of the cluster's maps, on the member that runs it, against its own
 * membership view: a data member in view without a mark refuses the write with
 * {@link MergePendingException} (clients get {@code service_unavailable}, and retry).
 *
 * <p>The cost: after any data member joins (a restart, a scale-up), writes are refused until its
 * mark reached the member that owns the data, a few milliseconds. Installed only when a quorum
 * above one is configured: without one, both sides of a split write and their merge loses one
 * side's writes anyway (docs/cluster.md).
 */
public final class MergeBarrier {

  private static final Logger log = LoggerFactory.getLogger(MergeBarrier.class);

  /** The replicated map of settled data members: member id to the time it was marked. */
  public static final String MAP = "switchboard-settled";
  /** How often marks are read again in full (events keep them current in between) and pruned. */
  static final long RESYNC_MS = 1000;
  private static final String CONTEXT_KEY = MergeBarrier.class.getName();

  private final HazelcastInstance hazelcast;
  private final ReplicatedMap<String, Long> marks;
  private final Set<String> settled = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService resync;
  private final MergeHandover handover;
  /** Guards {@link #merging} and each mark of this member against a merge starting meanwhile. */
  private final Object lock = new Object();
  private boolean merging;
  /** Set at a merge's end until this member has marked itself again (for the log line). */
  private volatile boolean handingOver;

  private MergeBarrier(HazelcastInstance hazelcast) {
    this.hazelcast = hazelcast;
    this.marks = hazelcast.getReplicatedMap(MAP);
    this.handover = new MergeHandover(hazelcast, MergeHandover.timeoutMs(hazelcast.getConfig(), System.getProperties()),
      System::currentTimeMillis);
    this.resync = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "switchboard-merge-barrier");
      thread.setDaemon(true);
      return thread;
    });
  }

  /**
   * Starts the barrier on a data member that has just joined, and marks it settled. Does nothing
   * on a lite member (it holds no data and runs no entry processor) or without a quorum.
   */
  public static void install(HazelcastInstance hazelcast) {
    if (hazelcast.getCluster().getLocalMember().isLiteMember() || ClusterConfigLoader.quorumOf(hazelcast.getConfig()) <= 1) {
      return;
    }
    MergeBarrier barrier = new MergeBarrier(hazelcast);
    hazelcast.getUserContext().put(CONTEXT_KEY, barrier);
    barrier.start();
  }

  /**
   * Throws {@link MergePendingException} when a data member in this member's view has not marked
   * itself settled. Call it inside entry processors; without an installed barrier it passes.
   */
  public static void check(HazelcastInstance hazelcast, String what) {
    if (hazelcast != null && hazelcast.getUserContext().get(CONTEXT_KEY) instanceof MergeBarrier barrier) {
      barrier.check(what);
    }
  }

  /** The data members this member waits for (none: settled); empty without a barrier. */
  public static List<String> pending(HazelcastInstance hazelcast) {
    if (hazelcast != null && hazelcast.getUserContext().get(CONTEXT_KEY) instanceof MergeBarrier barrier) {
      return barrier.unsettled().stream().map(member -> member.getAddress().toString()).toList();
    }
    return List.of();
  }

  private void start() {
    marks.addEntryListener(new EntryAdapter<>() {
      @Override
      public void entryAdded(EntryEvent<String, Long> event) {
        settled.add(event.getKey());
      }

      @Override
      public void entryUpdated(EntryEvent<String, Long> event) {
        settled.add(event.getKey());
      }
    });
    hazelcast.getLifecycleService().addLifecycleListener(this::lifecycle);
    markSelf();
    resync();
    resync.scheduleWithFixedDelay(this::resync, RESYNC_MS, RESYNC_MS, TimeUnit.MILLISECONDS);
  }

  private void lifecycle(LifecycleEvent event) {
    switch (event.getState()) {
      // Fired on the merging member before Hazelcast resets it: no mark of it may be written
      // from now on until its entries are in the other cluster.
      case MERGING -> {
        synchronized (lock) {
          merging = true;
        }
        // Hazelcast resets the member's stores right after this event: copy what it owns now.
        try {
          int taken = handover.take();
          log.info("Merging into the other side of a split: this member's writes are held until its data is handed over"
            + " ({} entries kept to apply again after the merge)", taken);
        } catch (RuntimeException e) {
          log.error("Merging into the other side of a split: could not copy this member's entries before the merge;"
            + " what Hazelcast's merge drops is lost", e);
        }
      }
      case MERGED -> {
        synchronized (lock) {
          merging = false;
        }
        handingOver = true;
        log.info("Merged: applying this member's copies again before it marks itself settled");
        resync.execute(this::resync);
      }
      case MERGE_FAILED -> log.warn("Merge into the other side of a split failed: this member stays unmarked");
      case SHUTTING_DOWN -> resync.shutdownNow();
      default -> {
      }
    }
  }

  /** Marks this member settled, unless a merge is under way or its copies are not all applied. */
  private boolean markSelf() {
    try {
      synchronized (lock) {
        if (!merging && !handover.pending()) {
          String id = localId();
          settled.add(id);
          // Put again every time, not only when missing: a member that has just merged starts
          // with an empty copy of this map and would otherwise learn the others' marks only
          // from Hazelcast's anti-entropy, every 30 s (seen: writes held 20 s after a merge).
          marks.put(id, System.currentTimeMillis());
          return true;
        }
      }
    } catch (HazelcastInstanceNotActiveException e) {
      resync.shutdownNow();
    } catch (RuntimeException e) {
      log.warn("Could not mark this member settled (retried in {} ms): {}", RESYNC_MS, e.toString());
    }
    return false;
  }

  /**
   * Applies copies left from a merge, reads the marks in full (an event may have been missed
   * across a merge), marks again, prunes.
   */
  private void resync() {
    try {
      handover.replay(); // what is left keeps this member unmarked, and is tried again next time
      Set<String> now = new HashSet<>(marks.keySet());
      settled.addAll(now);
      settled.removeIf(id -> !now.contains(id));
      if (markSelf() && handingOver) {
        handingOver = false;
        log.info("Merged: this member's data is handed over; marked settled as {}", localId());
      }
      prune(now);
    } catch (HazelcastInstanceNotActiveException e) {
      resync.shutdownNow();
    } catch (RuntimeException e) {
      log.debug("Merge barrier resync failed: {}", e.toString());
    }
  }

  /**
   * The oldest member removes the marks of members no longer in the cluster (a merged member's
   * old id among them). A member's mark is written after it joined, so the oldest member, which
   * admits every join, has it in view before the mark arrives.
   */
  private void prune(Set<String> ids) {
    Set<Member> members = hazelcast.getCluster().getMembers();
    if (members.isEmpty() || !members.iterator().next().localMember()) {
      return;
    }
    Set<String> present = new HashSet<>();
    members.forEach(member -> present.add(member.getUuid().toString()));
    for (String id : ids) {
      if (!present.contains(id)) {
        marks.remove(id);
      }
    }
  }

  private void check(String what) {
    for (Member member : hazelcast.getCluster().getMembers()) {
      if (!member.isLiteMember() && !settled.contains(member.getUuid().toString())) {
        throw new MergePendingException(what + " refused: data member " + member.getAddress() + " (" + member.getUuid()
          + ") joined and has not marked its data handed over yet");
      }
    }
  }

  private List<Member> unsettled() {
    return hazelcast.getCluster().getMembers().stream()
      .filter(member -> !member.isLiteMember() && !settled.contains(member.getUuid().toString()))
      .toList();
  }

  private String localId() {
    UUID id = hazelcast.getCluster().getLocalMember().getUuid();
    return id.toString();
  }
}
