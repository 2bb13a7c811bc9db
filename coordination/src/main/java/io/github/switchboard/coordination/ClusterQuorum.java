package io.github.switchboard.coordination;

import com.hazelcast.core.HazelcastInstance;
import io.github.switchboard.launcher.ClusterConfigLoader;
import io.github.switchboard.launcher.DataMemberQuorum;

import java.util.function.IntSupplier;

/**
 * Whether this process sees enough of the cluster to act in it: at least the quorum's number of
 * data members in its own membership view ({@code SWITCHBOARD_CLUSTER_QUORUM}, at least one).
 * The same rule Hazelcast applies to the {@code switchboard.*} maps ({@link DataMemberQuorum}),
 * asked by the processes themselves: a gateway that fails it turns not ready and sends its
 * clients elsewhere, an active service gives its role up.
 *
 * <p>Reading the view is a local call (no network), so it may be asked on an event loop.
 */
public final class ClusterQuorum {

  private static final ClusterQuorum EMBEDDED = new ClusterQuorum(() -> 0, 0);

  private final IntSupplier dataMembers;
  private final int minimum;

  private ClusterQuorum(IntSupplier dataMembers, int minimum) {
    this.dataMembers = dataMembers;
    this.minimum = minimum;
  }

  public static ClusterQuorum of(HazelcastInstance hazelcast) {
    return new ClusterQuorum(() -> DataMemberQuorum.dataMembers(hazelcast.getCluster().getMembers()),
      Math.max(1, ClusterConfigLoader.quorumOf(hazelcast.getConfig())));
  }

  /** One JVM, no cluster: always present. */
  public static ClusterQuorum embedded() {
    return EMBEDDED;
  }

  /** For tests: the number of data members seen is the caller's. */
  public static ClusterQuorum counting(IntSupplier dataMembers, int minimum) {
    return new ClusterQuorum(dataMembers, minimum);
  }

  public int minimum() {
    return minimum;
  }

  public int dataMembers() {
    return dataMembers.getAsInt();
  }

  public boolean present() {
    return this == EMBEDDED || dataMembers() >= minimum;
  }

  /** For logs and health bodies: {@code "1 data member seen, 2 needed"}. */
  public String describe() {
    int seen = dataMembers();
    return seen + (seen == 1 ? " data member" : " data members") + " seen, " + minimum + " needed";
  }
}
