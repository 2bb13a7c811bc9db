package io.github.switchboard.coordination.fence;

/** A write refused because a newer holder of the role has written with a greater token. */
public final class FencedOutException extends RuntimeException {

  private final long token;
  private final long seen;

  public FencedOutException(String what, long token, long seen) {
    super(what + " refused: written with token " + token + ", the store has seen token " + seen
      + " (a newer instance holds the role)", null, false, false);
    this.token = token;
    this.seen = seen;
  }

  public long token() {
    return token;
  }

  public long seen() {
    return seen;
  }
}
