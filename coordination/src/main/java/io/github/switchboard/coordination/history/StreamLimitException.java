package io.github.switchboard.coordination.history;

/** An append that would create a stream while the store holds its maximum number of streams. */
public final class StreamLimitException extends RuntimeException {

  public StreamLimitException(String stream, int maxStreams) {
    super("stream '" + stream + "' not created: " + maxStreams + " streams exist, the most allowed", null, false, false);
  }
}
