package io.github.switchboard.launcher;

import com.hazelcast.cluster.Member;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionFunction;

import java.util.Collection;

/**
 * The cluster's quorum: at least {@code minimum} data members in the view of the member that
 * asks. Lite members (gateways) are not counted: they hold no data, so a side of a split made of
 * gateways and one data member must not pass for a majority however many gateways it has.
 *
 * <p>Hazelcast consults it on every membership change for the maps named {@code switchboard.*}
 * (split-brain protection {@value #NAME}, reads and writes): on a side of a network split with
 * fewer data members, every read and write of those maps fails with a
 * {@code SplitBrainProtectionException}, so that side acknowledges nothing it could lose when
 * the sides merge again. The gateways and the services' leadership ask {@link #present} too.
 */
public final class DataMemberQuorum implements SplitBrainProtectionFunction {

  /** The name of the split-brain protection in the Hazelcast config. */
  public static final String NAME = "switchboard-quorum";

  private final int minimum;

  public DataMemberQuorum(int minimum) {
    if (minimum < 1) {
      throw new IllegalArgumentException("the quorum must be at least 1 data member, got " + minimum);
    }
    this.minimum = minimum;
  }

  public int minimum() {
    return minimum;
  }

  @Override
  public boolean apply(Collection<Member> members) {
    return present(members, minimum);
  }

  /** Data members among {@code members}. */
  public static int dataMembers(Collection<Member> members) {
    int data = 0;
    for (Member member : members) {
      if (!member.isLiteMember()) {
        data++;
      }
    }
    return data;
  }

  public static boolean present(Collection<Member> members, int minimum) {
    return dataMembers(members) >= minimum;
  }
}
