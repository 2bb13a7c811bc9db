package io.github.switchboard.simulator;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ScoreEventTest {

  private static final ScoreEvent EVENT = new ScoreEvent("EVENT#02", "Sharks vs Dolphins", 3, 1, 7, 1_700_000_000_000L);

  @Test
  void homeGoalRaisesHomeScoreAndVersionByOne() {
    ScoreEvent next = EVENT.scored(true, 1_700_000_005_000L);

    assertThat(next).isEqualTo(new ScoreEvent("EVENT#02", "Sharks vs Dolphins", 4, 1, 8, 1_700_000_005_000L));
  }

  @Test
  void awayGoalRaisesAwayScoreAndVersionByOne() {
    ScoreEvent next = EVENT.scored(false, 1_700_000_006_000L);

    assertThat(next).isEqualTo(new ScoreEvent("EVENT#02", "Sharks vs Dolphins", 3, 2, 8, 1_700_000_006_000L));
  }

  @Test
  void scoringLeavesTheOriginalUnchanged() {
    EVENT.scored(true, 1L);

    assertThat(EVENT.homeScore()).isEqualTo(3);
    assertThat(EVENT.awayScore()).isEqualTo(1);
    assertThat(EVENT.version()).isEqualTo(7);
    assertThat(EVENT.updatedAt()).isEqualTo(1_700_000_000_000L);
  }

  @Test
  void everyChangeIsExactlyOneVersionAndOneGoal() {
    ScoreEvent event = new ScoreEvent("EVENT#00", "Lions vs Tigers", 0, 0, 1, 0);
    for (int i = 1; i <= 10; i++) {
      ScoreEvent next = event.scored(i % 3 == 0, i);
      assertThat(next.version()).isEqualTo(event.version() + 1);
      assertThat(next.homeScore() + next.awayScore()).isEqualTo(event.homeScore() + event.awayScore() + 1);
      event = next;
    }
    assertThat(event.version()).isEqualTo(11);
    assertThat(event.homeScore()).isEqualTo(3);
    assertThat(event.awayScore()).isEqualTo(7);
  }

  @Test
  void jsonHasTheFieldsClientsSee() {
    assertThat(EVENT.toJson()).isEqualTo(new JsonObject()
      .put("id", "EVENT#02").put("name", "Sharks vs Dolphins").put("homeScore", 3).put("awayScore", 1)
      .put("version", 7L).put("updatedAt", 1_700_000_000_000L));
    assertThat(EVENT.toJson().fieldNames())
      .containsExactlyInAnyOrder("id", "name", "homeScore", "awayScore", "version", "updatedAt");
  }

  @Test
  void jsonRoundTrip() {
    assertThat(ScoreEvent.fromJson(EVENT.toJson())).isEqualTo(EVENT);
  }

  @Test
  void jsonRoundTripThroughText() {
    // Decoded text gives Integers for small numbers and Longs for big ones.
    ScoreEvent big = new ScoreEvent("EVENT#04", "Falcons \"vs\" Ravens \u00e9", 12, 0, 5_000_000_000L, Long.MAX_VALUE);

    assertThat(ScoreEvent.fromJson(new JsonObject(EVENT.toJson().encode()))).isEqualTo(EVENT);
    assertThat(ScoreEvent.fromJson(new JsonObject(big.toJson().encode()))).isEqualTo(big);
  }

  @Test
  void fromJsonReadsWhatAnotherInstanceWrote() {
    JsonObject json = new JsonObject("{\"id\":\"EVENT#01\",\"name\":\"Eagles vs Hawks\",\"homeScore\":2,"
      + "\"awayScore\":5,\"version\":9,\"updatedAt\":1723456789012}");

    assertThat(ScoreEvent.fromJson(json))
      .isEqualTo(new ScoreEvent("EVENT#01", "Eagles vs Hawks", 2, 5, 9, 1_723_456_789_012L));
  }
}
