package io.github.switchboard.coordination.history;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import io.github.switchboard.coordination.QuorumGuard;

import java.io.IOException;
import java.util.Map;

/**
 * Appends one message to a stream where its entry lives: on the member that owns the stream's
 * partition, one operation at a time per partition, so the offset it assigns is the stream's
 * next one whoever sends it. The backup copy does not run this processor again: it gets
 * {@link PlaceAtOffset}, which puts the message at the offset the owner chose. Running the same
 * decision on the backup would give the same offset only if the backup held exactly what the
 * owner holds, and a backup that missed a write (its answer timed out while it was slow or cut
 * off) does not.
 *
 * <p>An append may carry a publish id. Hazelcast sends an operation again when the member that
 * ran it died before answering, and the backup it promotes has the message already: the id
 * finds it there, and the repeat answers the offset it was given instead of storing it twice.
 *
 * <p>The log records when the stream expires (a TTL after this append, by the sender's clock);
 * the store's sweep removes it then, and until then reads and appends treat it as gone.
 */
public final class AppendToStream implements EntryProcessor<String, StreamLog, AppendToStream.Result>, DataSerializable, HazelcastInstanceAware {
  /** Set by Hazelcast on the member that runs it: the quorum is checked against its view. */
  private transient HazelcastInstance hazelcast;

  @Override
  public void setHazelcastInstance(HazelcastInstance hazelcast) {
    this.hazelcast = hazelcast;
  }


  private String payload;
  private long timestamp;
  private int capacity;
  private long ttlMs;
  private boolean mayCreate;
  private String newEpoch;
  /** The sender's clock when it sent the append: the stream expires a TTL after it. */
  private long sentAt;
  /** Null: the message has no publish id, and a repeat is a new message. */
  private String publishId;
  /** What the owner did, for the backup (set by {@link #process}; never sent). */
  private transient PlaceAtOffset backup;

  /** For Hazelcast only. */
  public AppendToStream() {
  }

  AppendToStream(String payload, long timestamp, HistoryPolicy policy, boolean mayCreate, String newEpoch, long sentAt,
                 String publishId) {
    this.publishId = publishId;
    this.payload = payload;
    this.timestamp = timestamp;
    this.capacity = policy.size();
    this.ttlMs = policy.ttlMs();
    this.mayCreate = mayCreate;
    this.newEpoch = newEpoch;
    this.sentAt = sentAt;
  }

  @Override
  public Result process(Map.Entry<String, StreamLog> entry) {
    QuorumGuard.checkWrite(hazelcast, entry.getKey(), "append to stream " + entry.getKey());
    StreamLog log = entry.getValue();
    // Past its time but not swept yet: gone all the same, and started anew.
    boolean created = log == null || log.getExpiresAt() <= sentAt;
    if (created) {
      if (!mayCreate) {
        return null;
      }
      log = new StreamLog(capacity, newEpoch);
    } else {
      long stored = log.offsetOf(publishId);
      if (stored > 0) {
        // A repeat (the first try's backup did not answer): written again as it is, so that
        // its backup runs too and this answer, like the first one, waits for the backup. An
        // answer without it would acknowledge a message only this copy may hold.
        entry.setValue(log);
        backup = new PlaceAtOffset(payload, timestamp, capacity, stored, log.epoch(), log.getExpiresAt(), publishId);
        return new Result(stored, log.epoch(), false);
      }
    }
    long offset = log.append(payload, timestamp, capacity, publishId);
    log.expiresAt(sentAt + ttlMs);
    // setValue also with the object format: it is what makes the change (and its backup) count.
    entry.setValue(log);
    backup = new PlaceAtOffset(payload, timestamp, capacity, offset, log.epoch(), log.getExpiresAt(), publishId);
    return new Result(offset, log.epoch(), created);
  }

  /** The owner's decision, or null when it stored nothing (a stream it was not allowed to create). */
  @Override
  public EntryProcessor<String, StreamLog, Result> getBackupProcessor() {
    return backup;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(payload);
    out.writeLong(timestamp);
    out.writeInt(capacity);
    out.writeLong(ttlMs);
    out.writeBoolean(mayCreate);
    out.writeString(newEpoch);
    out.writeLong(sentAt);
    out.writeString(publishId);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    payload = in.readString();
    timestamp = in.readLong();
    capacity = in.readInt();
    ttlMs = in.readLong();
    mayCreate = in.readBoolean();
    newEpoch = in.readString();
    sentAt = in.readLong();
    publishId = in.readString();
  }

  /** The offset given to the message, the stream's epoch, and whether the stream was created. */
  public static final class Result implements DataSerializable {

    private long offset;
    private String epoch;
    private boolean created;

    /** For Hazelcast only. */
    public Result() {
    }

    Result(long offset, String epoch, boolean created) {
      this.offset = offset;
      this.epoch = epoch;
      this.created = created;
    }

    long offset() {
      return offset;
    }

    String epoch() {
      return epoch;
    }

    boolean created() {
      return created;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeLong(offset);
      out.writeString(epoch);
      out.writeBoolean(created);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      offset = in.readLong();
      epoch = in.readString();
      created = in.readBoolean();
    }
  }
}
