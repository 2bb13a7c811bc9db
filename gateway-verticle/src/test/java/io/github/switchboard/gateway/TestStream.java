package io.github.switchboard.gateway;

import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real HTTP streaming client for tests, on the JDK's own HTTP client (nothing of the
 * gateway's code): reads a Server-Sent Events stream ({@code /sse}) the way an EventSource
 * parses it (fields up to a blank line make an event; {@code :} lines are comments), or a
 * JSON-lines stream ({@code /stream}) line by line, and queues each message with its event id.
 * Sends frames up with {@code POST /emulation}, to this gateway or another.
 */
public final class TestStream implements AutoCloseable {

  /** One message down the stream: its JSON, and for Server-Sent Events the id it came with (null: none). */
  public record Event(String id, JsonObject json) {
  }

  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
    .connectTimeout(Duration.ofSeconds(5)).build();

  private final boolean sse;
  private final int status;
  private final String contentType;
  private final String errorBody;
  private final InputStream body;
  private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private volatile boolean ended;
  private volatile int comments;
  private volatile String lastEventId;
  private String key;

  private TestStream(boolean sse, HttpResponse<InputStream> response) throws IOException {
    this.sse = sse;
    this.status = response.statusCode();
    this.contentType = response.headers().firstValue("content-type").orElse("");
    this.body = response.body();
    if (status != 200) {
      errorBody = new String(body.readAllBytes(), StandardCharsets.UTF_8);
      return;
    }
    errorBody = null;
    Thread reader = new Thread(this::read, "test-stream-reader");
    reader.setDaemon(true);
    reader.start();
  }

  /** Opens {@code /sse...} or {@code /stream...} ({@code pathAndQuery}) with request headers. */
  public static TestStream open(int port, String pathAndQuery, Map<String, String> headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery)).GET();
    headers.forEach(request::header);
    try {
      return new TestStream(pathAndQuery.startsWith("/sse"), HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream()));
    } catch (IOException e) {
      throw new AssertionError("stream " + pathAndQuery + " not opened: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  public static TestStream open(int port, String pathAndQuery) {
    return open(port, pathAndQuery, Map.of());
  }

  private void read() {
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
      StringBuilder data = null;
      String id = null;
      String line;
      while ((line = lines.readLine()) != null) {
        if (!sse) {
          if (!line.isEmpty()) {
            events.add(new Event(null, new JsonObject(line)));
          } else {
            comments++;
          }
          continue;
        }
        if (line.isEmpty()) {
          if (data != null) {
            if (id != null) {
              lastEventId = id;
            }
            events.add(new Event(id, new JsonObject(data.toString())));
          }
          data = null;
          id = null;
        } else if (line.startsWith(":")) {
          comments++;
        } else if (line.startsWith("data: ")) {
          data = data == null ? new StringBuilder(line.substring(6)) : data.append('\n').append(line.substring(6));
        } else if (line.startsWith("id: ")) {
          id = line.substring(4);
        }
      }
    } catch (IOException e) {
      // The stream was cut (by the test or the server): the end is what the test looks at.
    } finally {
      ended = true;
    }
  }

  public int status() {
    return status;
  }

  public String contentType() {
    return contentType;
  }

  /** The JSON error body of a refused stream. */
  public JsonObject error() {
    return new JsonObject(errorBody);
  }

  /** The id of the last event that had one: what an EventSource would send as Last-Event-ID. */
  public String lastEventId() {
    return lastEventId;
  }

  public int comments() {
    return comments;
  }

  public boolean ended() {
    return ended;
  }

  /** Skips events until one matches; fails at the deadline. */
  public Event await(Predicate<JsonObject> match) {
    long deadline = System.nanoTime() + TestSocket.TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      Event event;
      try {
        event = events.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
      if (event != null && match.test(event.json())) {
        if ("connected".equals(event.json().getString("type"))) {
          key = event.json().getString("session");
        }
        return event;
      }
    }
    throw new AssertionError("no matching event within " + TestSocket.TIMEOUT);
  }

  public JsonObject awaitJson(Predicate<JsonObject> match) {
    return await(match).json();
  }

  /** The next event, whatever it is. */
  public JsonObject next() {
    return awaitJson(json -> true);
  }

  /** Waits for the {@code connected} frame and returns the emulation key. */
  public String connected() {
    if (key == null) {
      await(json -> "connected".equals(json.getString("type")));
    }
    return key;
  }

  /** Events received and not yet taken. */
  public int pending() {
    return events.size();
  }

  /** Sends frames up with {@code POST /emulation} to the gateway at {@code port}; returns the status and body. */
  public static HttpResponse<String> emulate(int port, JsonObject body) {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/emulation"))
      .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode())).build();
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError("emulation POST failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** One frame up this stream through the gateway at {@code port}; asserts it was taken (204). */
  public void send(int port, JsonObject frame) {
    HttpResponse<String> answer = emulate(port, new JsonObject().put("session", connected()).put("frame", frame));
    if (answer.statusCode() != 204) {
      throw new AssertionError("emulation POST answered " + answer.statusCode() + " " + answer.body());
    }
  }

  @Override
  public void close() {
    try {
      body.close();
    } catch (IOException e) {
      // Already cut.
    }
  }
}
