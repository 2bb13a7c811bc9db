package io.github.switchboard.simulator;

import io.vertx.core.json.JsonObject;

/** One live event of the scores feed, as clients see it. Immutable: a change is a new version. */
public record ScoreEvent(String id, String name, int homeScore, int awayScore, long version, long updatedAt) {

  public ScoreEvent scored(boolean home, long now) {
    return new ScoreEvent(id, name, home ? homeScore + 1 : homeScore, home ? awayScore : awayScore + 1, version + 1, now);
  }

  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("name", name).put("homeScore", homeScore).put("awayScore", awayScore)
      .put("version", version).put("updatedAt", updatedAt);
  }

  public static ScoreEvent fromJson(JsonObject json) {
    return new ScoreEvent(json.getString("id"), json.getString("name"), json.getInteger("homeScore"),
      json.getInteger("awayScore"), json.getLong("version"), json.getLong("updatedAt"));
  }
}
