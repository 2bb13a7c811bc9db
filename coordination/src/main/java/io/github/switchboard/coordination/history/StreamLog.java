package io.github.switchboard.coordination.history;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * One stream's state: its epoch, its newest offset and its last {@code capacity} messages in a
 * ring that grows as messages come (a stream with one message costs one slot, not a hundred).
 *
 * <p>The same class is the value of the cluster map and the embedded store's entry. It is
 * {@link DataSerializable} because Hazelcast moves it between members (backups, migration):
 * every process of the cluster has this module on its class path.
 */
public final class StreamLog implements DataSerializable {

  private static final int FIRST_SLOTS = 4;

  private String epoch;
  private long top;
  /**
   * The high watermark: every offset up to it was acknowledged with its backup, so it survives
   * the loss of this copy and no side of a network split can hold another message at that
   * offset. Readers see no further ({@link #visibleTop}): an append that only reached this copy
   * (its backup cut off) is never read back, and may vanish when the split heals.
   */
  private long committed;
  /**
   * Wall-clock time of the last raise of the watermark (0: never). Only a side of a split with
   * the quorum commits, so when two copies of a stream in different epochs meet after a split,
   * the one committed last is the one clients were told about; a copy that a member cut off
   * from the others created on its own (never committed) loses.
   */
  private long committedAt;
  /** Wall-clock time after which the stream is freed (its last append plus its TTL). */
  private long expiresAt;
  private int capacity;
  /** Slot i of the ring holds the message at offset {@code top - count + 1 + ((i - head) mod length)}. */
  private String[] payloads;
  private long[] timestamps;
  /**
   * The publish id of each slot's message (null when none was given), so that an append sent
   * twice (a retry after the owner of the partition died) is stored once. Allocated on the
   * first append with an id: chat rooms never pay for it.
   */
  private String[] ids;
  private int head;
  private int count;

  /** For Hazelcast only. */
  public StreamLog() {
  }

  StreamLog(int capacity, String epoch) {
    this.epoch = epoch;
    this.capacity = capacity;
    this.payloads = new String[Math.min(FIRST_SLOTS, capacity)];
    this.timestamps = new long[payloads.length];
  }

  /**
   * A copy that starts after {@code top}: what a backup that missed writes keeps until the
   * replica sync brings the rest (see {@link PlaceAtOffset}).
   */
  static StreamLog startingAfter(int capacity, String epoch, long top) {
    StreamLog log = new StreamLog(capacity, epoch);
    log.top = top;
    return log;
  }

  /**
   * A new stream's epoch: random, so a stream freed and started again (or whose storage was
   * lost) never has the epoch of the one before.
   */
  static String newEpoch() {
    return UUID.randomUUID().toString().substring(0, 8);
  }

  String epoch() {
    return epoch;
  }

  long top() {
    return top;
  }

  /**
   * Public for Hazelcast: the sweep's query reads it by this getter on the members that hold the
   * streams.
   */
  public long getExpiresAt() {
    return expiresAt;
  }

  void expiresAt(long wallClockMillis) {
    this.expiresAt = wallClockMillis;
  }

  /**
   * After this long, an offset above the watermark is read all the same: its append was
   * acknowledged (a commit lost with the member that died before its backup applied it; the next
   * append commits again anyway), or it failed without an acknowledgement and the member that
   * holds it is on the side of a split that has it: long before this, a side without the quorum
   * has seen the split (the heartbeat timeout, 6 s) and refuses every read.
   */
  static final long SETTLE_MS = 30_000;

  /** Raises the watermark to {@code offset} (never past the top, never down), at wall-clock {@code now}. */
  void commit(long offset, long now) {
    committed = Math.max(committed, Math.min(offset, top));
    committedAt = Math.max(committedAt, now);
  }

  long committed() {
    return committed;
  }

  /**
   * Whether copy {@code a} of a stream got further than copy {@code b} (when a split heals): in
   * one epoch the higher watermark, else the epoch committed last.
   */
  public static boolean further(StreamLog a, StreamLog b) {
    if (a.epoch.equals(b.epoch)) {
      return a.committed > b.committed;
    }
    return a.committedAt > b.committedAt;
  }

  /**
   * The newest offset readers may see at wall-clock {@code now}: the watermark, or past it the
   * messages older than {@link #SETTLE_MS}.
   */
  long visibleTop(long now) {
    long visible = Math.max(committed, oldest() - 1);
    while (visible < top && timestampOf(visible + 1) <= now - SETTLE_MS) {
      visible++;
    }
    return visible;
  }

  private long timestampOf(long offset) {
    return timestamps[(int) ((head + (offset - oldest())) % payloads.length)];
  }

  long oldest() {
    return top - count + 1;
  }

  /**
   * The offset of the kept message appended with this publish id, or 0 when none is kept (a
   * repeat older than the history cannot be told apart from a new message).
   */
  long offsetOf(String id) {
    if (ids == null || id == null) {
      return 0;
    }
    // Newest first: a retry comes soon after the append it repeats.
    for (int i = count - 1; i >= 0; i--) {
      if (id.equals(ids[(head + i) % ids.length])) {
        return oldest() + i;
      }
    }
    return 0;
  }

  /**
   * Whether the message kept at {@code offset} is this one: the same publish id, or without ids
   * the same payload. An offset no longer kept cannot be told apart, and counts as the same.
   */
  boolean holds(long offset, String payload, String publishId) {
    if (offset < oldest() || offset > top) {
      return offset < oldest();
    }
    int slot = (int) ((head + (offset - oldest())) % payloads.length);
    if (publishId != null && ids != null) {
      return publishId.equals(ids[slot]);
    }
    return payload.equals(payloads[slot]);
  }

  /** Appends the message as offset {@code top + 1}, dropping the oldest one past the capacity. */
  long append(String payload, long timestamp, int newCapacity) {
    return append(payload, timestamp, newCapacity, null);
  }

  /** The same, remembering the message's publish id (null: none). */
  long append(String payload, long timestamp, int newCapacity, String id) {
    if (id != null && ids == null) {
      ids = new String[payloads.length];
    }
    if (newCapacity != capacity) {
      resize(newCapacity);
    }
    if (count == payloads.length && count < capacity) {
      grow(Math.min(capacity, payloads.length * 2));
    }
    int slot;
    if (count < payloads.length) {
      slot = (head + count) % payloads.length;
      count++;
    } else {
      slot = head;
      head = (head + 1) % payloads.length;
    }
    payloads[slot] = payload;
    timestamps[slot] = timestamp;
    if (ids != null) {
      ids[slot] = id;
    }
    return ++top;
  }

  /** Messages kept at most. */
  int capacity() {
    return capacity;
  }

  /** Messages kept now. */
  int count() {
    return count;
  }

  /** Every kept message, oldest first, as a history file writes it (a rewrite of the file). */
  List<HistoryFile.Entry> kept(String stream) {
    List<HistoryFile.Entry> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int slot = (head + i) % payloads.length;
      out.add(new HistoryFile.Entry(stream, epoch, oldest() + i, timestamps[slot], expiresAt, capacity,
        ids == null ? null : ids[slot], payloads[slot]));
    }
    return out;
  }

  /** The messages after {@code afterOffset} up to {@code last}, oldest first. */
  List<StreamHistory.Entry> after(long afterOffset, long last) {
    long first = Math.max(afterOffset + 1, oldest());
    List<StreamHistory.Entry> out = new ArrayList<>((int) Math.max(0, last - first + 1));
    for (long offset = first; offset <= last; offset++) {
      int slot = (int) ((head + (offset - oldest())) % payloads.length);
      out.add(new StreamHistory.Entry(offset, timestamps[slot], payloads[slot]));
    }
    return out;
  }

  /** What a reader sees at wall-clock {@code now}: the messages after {@code afterOffset} up to {@link #visibleTop}. */
  StreamHistory.Page page(long afterOffset, long now) {
    long visible = visibleTop(now);
    // Complete when the first message wanted is still here (or nothing is wanted yet).
    boolean complete = afterOffset + 1 >= oldest() && afterOffset <= visible;
    return new StreamHistory.Page(after(afterOffset, visible), complete, visible, epoch);
  }

  /** Keeps the newest messages that fit a new capacity (the setting changed). */
  private void resize(int newCapacity) {
    int keep = Math.min(count, newCapacity);
    int slots = Math.max(Math.min(FIRST_SLOTS, newCapacity), keep);
    copyNewest(keep, slots);
    capacity = newCapacity;
  }

  private void grow(int slots) {
    copyNewest(count, slots);
  }

  /** Moves the newest {@code keep} messages into new arrays of {@code slots}, oldest at slot 0. */
  private void copyNewest(int keep, int slots) {
    String[] p = new String[slots];
    long[] t = new long[slots];
    String[] d = ids == null ? null : new String[slots];
    for (int i = 0; i < keep; i++) {
      int from = (head + count - keep + i) % payloads.length;
      p[i] = payloads[from];
      t[i] = timestamps[from];
      if (d != null) {
        d[i] = ids[from];
      }
    }
    payloads = p;
    timestamps = t;
    ids = d;
    head = 0;
    count = keep;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(epoch);
    out.writeLong(top);
    out.writeLong(committed);
    out.writeLong(committedAt);
    out.writeLong(expiresAt);
    out.writeInt(capacity);
    out.writeInt(count);
    out.writeBoolean(ids != null);
    for (int i = 0; i < count; i++) {
      int slot = (head + i) % payloads.length;
      out.writeLong(timestamps[slot]);
      out.writeString(payloads[slot]);
      if (ids != null) {
        out.writeString(ids[slot]);
      }
    }
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    epoch = in.readString();
    top = in.readLong();
    committed = in.readLong();
    committedAt = in.readLong();
    expiresAt = in.readLong();
    capacity = in.readInt();
    count = in.readInt();
    boolean withIds = in.readBoolean();
    payloads = new String[Math.max(Math.min(FIRST_SLOTS, capacity), count)];
    timestamps = new long[payloads.length];
    ids = withIds ? new String[payloads.length] : null;
    head = 0;
    for (int i = 0; i < count; i++) {
      timestamps[i] = in.readLong();
      payloads[i] = in.readString();
      if (withIds) {
        ids[i] = in.readString();
      }
    }
  }
}
