package io.github.switchboard.protocol;

import java.util.regex.Pattern;

/**
 * Group names and the event bus address each group lives on.
 *
 * <p>A group is the unit of fan-out: whoever publishes to {@link #address(String)} reaches every
 * socket in that group on every gateway of the cluster.
 */
public final class Groups {

  /** Prefix of every group address on the event bus (docs/protocol.md section 6). */
  public static final String ADDRESS_PREFIX = "group.";

  public static final int MAX_NAME_LENGTH = 128;
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:-]{1," + MAX_NAME_LENGTH + "}");

  /** Room names of {@code /ws/chat/{room}}. */
  public static final int MAX_ROOM_LENGTH = 64;
  private static final Pattern ROOM = Pattern.compile("[A-Za-z0-9_-]{1," + MAX_ROOM_LENGTH + "}");

  /** The group behind {@code /ws/hub}. */
  public static final String HUB = "hub";
  /** The group behind {@code /ws/scores}. */
  public static final String SCORES = "scores";
  /** The group behind {@code /ws/random}. */
  public static final String RANDOM = "random";
  /** Chat room R is group {@code chat.R}. */
  public static final String CHAT_PREFIX = "chat.";

  /**
   * Join and leave events of group G are published to group {@code presence:G}; subscribing to
   * it is how a client opts in to them.
   */
  public static final String PRESENCE_PREFIX = "presence:";

  /**
   * User U's personal group is {@code user:U}: every authenticated {@code /ws} socket of U is in
   * it from its upgrade, only the server (the server API, a backend hook) publishes there, and
   * no other user may subscribe to it.
   */
  public static final String PERSONAL_PREFIX = "user:";

  private Groups() {
  }

  public static boolean isValidName(String name) {
    return name != null && NAME.matcher(name).matches();
  }

  public static boolean isValidRoom(String room) {
    return room != null && ROOM.matcher(room).matches();
  }

  public static String address(String group) {
    return ADDRESS_PREFIX + group;
  }

  public static String chat(String room) {
    return CHAT_PREFIX + room;
  }

  public static String presenceEvents(String group) {
    return PRESENCE_PREFIX + group;
  }

  /** The group whose presence events a {@code presence:G} group carries, or null. */
  public static String presenceOf(String group) {
    return group != null && group.startsWith(PRESENCE_PREFIX) ? group.substring(PRESENCE_PREFIX.length()) : null;
  }

  /** User {@code user}'s personal group, or null when the id cannot be part of a group name. */
  public static String personal(String user) {
    if (user == null) {
      return null;
    }
    String group = PERSONAL_PREFIX + user;
    return isValidName(group) ? group : null;
  }

  /** Whether the group is someone's personal group ({@code user:...}). */
  public static boolean isPersonal(String group) {
    return group != null && group.startsWith(PERSONAL_PREFIX);
  }

  /** The room of a chat group, or null when the group is not a chat room. */
  public static String roomOf(String group) {
    if (group == null || !group.startsWith(CHAT_PREFIX)) {
      return null;
    }
    String room = group.substring(CHAT_PREFIX.length());
    return isValidRoom(room) ? room : null;
  }
}
