package io.github.switchboard.gateway.config;

import io.github.switchboard.launcher.settings.Settings;

/**
 * The server API for backends (section {@code api}, variables {@code SWITCHBOARD_API_...}; the
 * key itself is {@code apiKey} in {@link AccessOptions}). docs/backend.md describes each call.
 *
 * @param idempotencyWindowMs how long a publish's idempotency key is remembered: a publish that
 *                            repeats it within this time is answered, not delivered again
 * @param maxBroadcastGroups  groups one broadcast may name
 * @param gatherTimeoutMs     how long a call that asks every gateway (groups, nodes, disconnect,
 *                            subscribe) waits for each; one that does not answer is listed as
 *                            unreachable in the answer
 * @param maxHistoryLimit     messages one history read returns at most
 * @param maxListedGroups     groups one {@code GET /api/groups} lists at most
 * @param personalGroups      whether every authenticated {@code /ws} socket joins {@code user:<id>}
 * @param adminSessionMs      how long a login to the admin page ({@code /admin/}) lasts before the
 *                            operator must give the API key again
 */
public record ApiOptions(long idempotencyWindowMs, int maxBroadcastGroups, long gatherTimeoutMs, int maxHistoryLimit,
                         int maxListedGroups, boolean personalGroups, long adminSessionMs) {

  public static final long DEFAULT_IDEMPOTENCY_WINDOW_MS = 300_000;
  public static final int DEFAULT_MAX_BROADCAST_GROUPS = 1_000;
  public static final long DEFAULT_GATHER_TIMEOUT_MS = 3_000;
  public static final int DEFAULT_MAX_HISTORY_LIMIT = 1_000;
  public static final int DEFAULT_MAX_LISTED_GROUPS = 10_000;
  public static final boolean DEFAULT_PERSONAL_GROUPS = true;
  /** A working day. */
  public static final long DEFAULT_ADMIN_SESSION_MS = 8 * 3_600_000L;

  static ApiOptions from(Settings gateway) {
    Settings s = gateway.section("api");
    return new ApiOptions(
      s.longIn("idempotencyWindowMs", DEFAULT_IDEMPOTENCY_WINDOW_MS, 1_000, 86_400_000),
      s.intIn("maxBroadcastGroups", DEFAULT_MAX_BROADCAST_GROUPS, 1, 100_000),
      s.longIn("gatherTimeoutMs", DEFAULT_GATHER_TIMEOUT_MS, 100, 60_000),
      s.intIn("maxHistoryLimit", DEFAULT_MAX_HISTORY_LIMIT, 1, 100_000),
      s.intIn("maxListedGroups", DEFAULT_MAX_LISTED_GROUPS, 1, 1_000_000),
      s.bool("personalGroups", DEFAULT_PERSONAL_GROUPS),
      s.longIn("adminSessionMs", DEFAULT_ADMIN_SESSION_MS, 60_000, 7 * 86_400_000L));
  }
}
