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
 * Raises a stream's watermark ({@link StreamLog#commit}) once an append up to that offset was
 * acknowledged with its backup, so that readers see it. Sent by the store that appended, before
 * it reports the append as done: a message is acknowledged and published only once readers can
 * see it. Backups apply a partition's changes in order, so the backup of an acknowledged append
 * holds every offset before it too. A stream of another epoch (freed and started again since)
 * is left alone.
 */
public final class CommitToStream implements EntryProcessor<String, StreamLog, Void>, DataSerializable, HazelcastInstanceAware {
  /** Set by Hazelcast on the member that runs it: the quorum is checked against its view. */
  private transient HazelcastInstance hazelcast;

  @Override
  public void setHazelcastInstance(HazelcastInstance hazelcast) {
    this.hazelcast = hazelcast;
  }


  private String epoch;
  private long offset;
  /** The committer's clock: both copies record the same time. */
  private long at;

  /** For Hazelcast only. */
  public CommitToStream() {
  }

  CommitToStream(String epoch, long offset, long at) {
    this.epoch = epoch;
    this.offset = offset;
    this.at = at;
  }

  @Override
  public Void process(Map.Entry<String, StreamLog> entry) {
    QuorumGuard.checkWrite(hazelcast, entry.getKey(), "commit of stream " + entry.getKey());
    StreamLog log = entry.getValue();
    if (log != null && log.epoch().equals(epoch)) {
      log.commit(offset, at);
      // Written even when the watermark was already there (a repeat after a backup that did
      // not answer): the answer must wait for the backup, which may not have it yet.
      entry.setValue(log);
    }
    return null;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(epoch);
    out.writeLong(offset);
    out.writeLong(at);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    epoch = in.readString();
    offset = in.readLong();
    at = in.readLong();
  }
}
