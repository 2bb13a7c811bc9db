package io.github.switchboard.coordination.fence;

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
 * A value written by a role's active instance, with the greatest token it has been written or
 * fenced with. The entry processors below are the only writers: they run on the partition's
 * owner, so the check and the write are one step.
 */
public final class Fenced implements DataSerializable {

  private long token;
  private String value;

  /** For Hazelcast only. */
  public Fenced() {
  }

  public Fenced(long token, String value) {
    this.token = token;
    this.value = value;
  }

  public long token() {
    return token;
  }

  public String value() {
    return value;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeLong(token);
    out.writeString(value);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    token = in.readLong();
    value = in.readString();
  }

  /**
   * Writes the value unless the entry carries a greater token; returns the entry's token when it
   * refuses, 0 when it wrote.
   */
  public static final class Write implements EntryProcessor<String, Fenced, Long>, DataSerializable, HazelcastInstanceAware {
    /** Set by Hazelcast on the member that runs it: the quorum is checked against its view. */
    private transient HazelcastInstance hazelcast;

    @Override
    public void setHazelcastInstance(HazelcastInstance hazelcast) {
      this.hazelcast = hazelcast;
    }


    private long token;
    private String value;

    /** For Hazelcast only. */
    public Write() {
    }

    public Write(long token, String value) {
      this.token = token;
      this.value = value;
    }

    @Override
    public Long process(Map.Entry<String, Fenced> entry) {
      QuorumGuard.checkWrite(hazelcast, entry.getKey(), "write of " + entry.getKey());
      Fenced current = entry.getValue();
      if (current != null && current.token > token) {
        return current.token;
      }
      entry.setValue(new Fenced(token, value));
      return 0L;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeLong(token);
      out.writeString(value);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      token = in.readLong();
      value = in.readString();
    }
  }

  /**
   * A takeover: raises the entry's token to the new holder's (refusing every later write of an
   * older holder) and returns the entry as it is then. An entry already fenced with a greater
   * token is returned unchanged: the caller is not the newest holder.
   */
  public static final class Raise implements EntryProcessor<String, Fenced, Fenced>, DataSerializable, HazelcastInstanceAware {
    /** Set by Hazelcast on the member that runs it: the quorum is checked against its view. */
    private transient HazelcastInstance hazelcast;

    @Override
    public void setHazelcastInstance(HazelcastInstance hazelcast) {
      this.hazelcast = hazelcast;
    }


    private long token;

    /** For Hazelcast only. */
    public Raise() {
    }

    public Raise(long token) {
      this.token = token;
    }

    @Override
    public Fenced process(Map.Entry<String, Fenced> entry) {
      QuorumGuard.checkWrite(hazelcast, entry.getKey(), "fencing of " + entry.getKey());
      Fenced current = entry.getValue();
      if (current == null) {
        return null;
      }
      if (current.token >= token) {
        // Written again as it is (a repeat of this takeover, or a newer holder's fence): the
        // answer waits for the backup like a raise does.
        entry.setValue(current);
        return current;
      }
      Fenced raised = new Fenced(token, current.value);
      entry.setValue(raised);
      return raised;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeLong(token);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      token = in.readLong();
    }
  }
}
