package io.github.switchboard.coordination.history;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;

import java.io.IOException;
import java.util.Map;

/**
 * The backup side of {@link AppendToStream}: puts the message at the offset the owner gave it.
 * A backup that already holds this message at that offset (a repeat) keeps it. A backup whose
 * copy stops short of it (it missed a write), holds another epoch, or holds another message at
 * that offset (its copy went another way after a write that reached one copy only) starts its
 * copy again at this message:
 * it never holds a message at an offset the owner did not give it, and Hazelcast's replica
 * sync, which the gap in the partition's versions sets off, copies the rest from the owner.
 */
public final class PlaceAtOffset implements EntryProcessor<String, StreamLog, AppendToStream.Result>, DataSerializable {

  private String payload;
  private long timestamp;
  private int capacity;
  private long offset;
  private String epoch;
  private long expiresAt;
  private String publishId;

  /** For Hazelcast only. */
  public PlaceAtOffset() {
  }

  PlaceAtOffset(String payload, long timestamp, int capacity, long offset, String epoch, long expiresAt, String publishId) {
    this.payload = payload;
    this.timestamp = timestamp;
    this.capacity = capacity;
    this.offset = offset;
    this.epoch = epoch;
    this.expiresAt = expiresAt;
    this.publishId = publishId;
  }

  @Override
  public AppendToStream.Result process(Map.Entry<String, StreamLog> entry) {
    StreamLog log = entry.getValue();
    if (log == null || !log.epoch().equals(epoch) || log.top() < offset - 1
      || log.top() >= offset && !log.holds(offset, payload, publishId)) {
      log = StreamLog.startingAfter(capacity, epoch, offset - 1);
    }
    if (log.top() == offset - 1) {
      log.append(payload, timestamp, capacity, publishId);
    }
    log.expiresAt(expiresAt);
    entry.setValue(log);
    return null;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(payload);
    out.writeLong(timestamp);
    out.writeInt(capacity);
    out.writeLong(offset);
    out.writeString(epoch);
    out.writeLong(expiresAt);
    out.writeString(publishId);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    payload = in.readString();
    timestamp = in.readLong();
    capacity = in.readInt();
    offset = in.readLong();
    epoch = in.readString();
    expiresAt = in.readLong();
    publishId = in.readString();
  }
}
