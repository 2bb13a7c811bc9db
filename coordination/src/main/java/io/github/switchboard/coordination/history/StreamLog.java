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
  /** Wall-clock time after which the stream is freed (its last append plus its TTL). */
  private long expiresAt;
  private int capacity;
  /** Slot i of the ring holds the message at offset {@code top - count + 1 + ((i - head) mod length)}. */
  private String[] payloads;
  private long[] timestamps;
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

  long oldest() {
    return top - count + 1;
  }

  /** Appends the message as offset {@code top + 1}, dropping the oldest one past the capacity. */
  long append(String payload, long timestamp, int newCapacity) {
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
    return ++top;
  }

  /** The messages after {@code afterOffset}, oldest first. */
  List<StreamHistory.Entry> after(long afterOffset) {
    long first = Math.max(afterOffset + 1, oldest());
    List<StreamHistory.Entry> out = new ArrayList<>((int) Math.max(0, top - first + 1));
    for (long offset = first; offset <= top; offset++) {
      int slot = (int) ((head + (offset - oldest())) % payloads.length);
      out.add(new StreamHistory.Entry(offset, timestamps[slot], payloads[slot]));
    }
    return out;
  }

  StreamHistory.Page page(long afterOffset) {
    // Complete when the first message wanted is still here (or nothing is wanted yet).
    boolean complete = afterOffset + 1 >= oldest() && afterOffset <= top;
    return new StreamHistory.Page(after(afterOffset), complete, top, epoch);
  }

  /** Keeps the newest messages that fit a new capacity (the setting changed). */
  private void resize(int newCapacity) {
    List<StreamHistory.Entry> kept = after(top - Math.min(count, newCapacity));
    capacity = newCapacity;
    payloads = new String[Math.max(Math.min(FIRST_SLOTS, newCapacity), kept.size())];
    timestamps = new long[payloads.length];
    head = 0;
    count = kept.size();
    for (int i = 0; i < kept.size(); i++) {
      payloads[i] = kept.get(i).payload();
      timestamps[i] = kept.get(i).timestamp();
    }
  }

  private void grow(int slots) {
    String[] p = new String[slots];
    long[] t = new long[slots];
    for (int i = 0; i < count; i++) {
      p[i] = payloads[(head + i) % payloads.length];
      t[i] = timestamps[(head + i) % payloads.length];
    }
    payloads = p;
    timestamps = t;
    head = 0;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(epoch);
    out.writeLong(top);
    out.writeLong(expiresAt);
    out.writeInt(capacity);
    out.writeInt(count);
    for (int i = 0; i < count; i++) {
      int slot = (head + i) % payloads.length;
      out.writeLong(timestamps[slot]);
      out.writeString(payloads[slot]);
    }
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    epoch = in.readString();
    top = in.readLong();
    expiresAt = in.readLong();
    capacity = in.readInt();
    count = in.readInt();
    payloads = new String[Math.max(Math.min(FIRST_SLOTS, capacity), count)];
    timestamps = new long[payloads.length];
    head = 0;
    for (int i = 0; i < count; i++) {
      timestamps[i] = in.readLong();
      payloads[i] = in.readString();
    }
  }
}
