package io.github.switchboard.coordination.history;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import io.github.switchboard.coordination.QuorumGuard;

import java.io.IOException;
import java.util.Map;

/**
 * Reads a stream's newest offset and epoch where it lives, sending back two values instead of
 * its whole history: a gateway asks for all its streams in one call ({@code submitToKeys}) when
 * it checks that it has delivered everything. Read-only, so Hazelcast runs it on no backup.
 */
public final class ReadPositions implements EntryProcessor<String, StreamLog, ReadPositions.Result>, ReadOnly, HazelcastInstanceAware,
  DataSerializable {
  /** Set by Hazelcast on the member that runs it: the quorum is checked against its view. */
  private transient HazelcastInstance hazelcast;

  @Override
  public void setHazelcastInstance(HazelcastInstance hazelcast) {
    this.hazelcast = hazelcast;
  }


  /** The reader's clock: a stream past its time reads as gone, as it does for appends. */
  private long now;

  /** For Hazelcast only. */
  public ReadPositions() {
  }

  ReadPositions(long now) {
    this.now = now;
  }

  @Override
  public Result process(Map.Entry<String, StreamLog> entry) {
    QuorumGuard.check(hazelcast, "position of stream " + entry.getKey());
    StreamLog log = entry.getValue();
    return log == null || log.getExpiresAt() <= now ? null : new Result(log.visibleTop(now), log.epoch());
  }

  @Override
  public EntryProcessor<String, StreamLog, Result> getBackupProcessor() {
    return null;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeLong(now);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    now = in.readLong();
  }

  /** A stream's position as it travels back. */
  public static final class Result implements DataSerializable {

    private long top;
    private String epoch;

    /** For Hazelcast only. */
    public Result() {
    }

    Result(long top, String epoch) {
      this.top = top;
      this.epoch = epoch;
    }

    StreamHistory.Position position() {
      return new StreamHistory.Position(top, epoch);
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeLong(top);
      out.writeString(epoch);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      top = in.readLong();
      epoch = in.readString();
    }
  }
}
