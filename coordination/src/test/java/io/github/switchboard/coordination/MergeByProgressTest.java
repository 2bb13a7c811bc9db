package io.github.switchboard.coordination;

import io.github.switchboard.coordination.fence.Fenced;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which copy of an entry survives a healed split (streams: HazelcastStreamHistoryTest). */
class MergeByProgressTest {

  @Test
  void theGreaterTokenAndTheGreaterRoleTokenWinAndTiesKeepTheClusterMergedInto() {
    assertThat(MergeByProgress.gotFurther(new Fenced(3, "new"), new Fenced(2, "old"))).isTrue();
    assertThat(MergeByProgress.gotFurther(new Fenced(2, "old"), new Fenced(3, "new"))).isFalse();
    assertThat(MergeByProgress.gotFurther(new Fenced(3, "a"), new Fenced(3, "b"))).isFalse();
    assertThat(MergeByProgress.gotFurther(7L, 5L)).isTrue();
    assertThat(MergeByProgress.gotFurther(5L, 7L)).isFalse();
    assertThat(MergeByProgress.gotFurther("presence", "other")).isFalse();
  }
}
