package io.github.switchboard.coordination.fence;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import io.github.switchboard.coordination.HazelcastFutures;
import io.github.switchboard.coordination.QuorumGuard;
import io.github.switchboard.coordination.StoreUnavailableException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.Map;

/** Role tokens in a cluster map: one entry per role, raised by an entry processor on its owner. */
public final class HazelcastRoleFence implements RoleFence {

  public static final String MAP = "switchboard.roles";

  private final Context context;
  private final IMap<String, Long> tokens;

  public HazelcastRoleFence(Vertx vertx, HazelcastInstance hazelcast) {
    this.context = vertx.getOrCreateContext();
    this.tokens = hazelcast.getMap(MAP);
  }

  @Override
  public Future<Long> next(String role) {
    return HazelcastFutures.on(context, tokens.submitToKey(role, new NextToken()))
      .recover(e -> Future.failedFuture(StoreUnavailableException.translate(e)));
  }

  /** The role's token plus one, stored (with its backup) before it is returned. */
  public static final class NextToken implements EntryProcessor<String, Long, Long>, DataSerializable, HazelcastInstanceAware {
    /** Set by Hazelcast on the member that runs it: the quorum is checked against its view. */
    private transient HazelcastInstance hazelcast;

    @Override
    public void setHazelcastInstance(HazelcastInstance hazelcast) {
      this.hazelcast = hazelcast;
    }


    @Override
    public Long process(Map.Entry<String, Long> entry) {
      QuorumGuard.checkWrite(hazelcast, entry.getKey(), "token of role " + entry.getKey());
      long next = (entry.getValue() == null ? 0 : entry.getValue()) + 1;
      entry.setValue(next);
      return next;
    }

    @Override
    public void writeData(ObjectDataOutput out) {
    }

    @Override
    public void readData(ObjectDataInput in) {
    }
  }
}
