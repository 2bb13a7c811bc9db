package io.github.switchboard.gateway.hostile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A WebSocket client that does what no well-behaved client does: it writes frames byte by byte
 * as it likes (masked, as RFC 6455 requires of clients) and reads only when the test says so.
 * Blocking I/O on the test's own thread. Public: cluster-tests floods gateway processes with it.
 */
public final class RawWebSocket implements AutoCloseable {

  public static final int OPCODE_TEXT = 0x1;
  public static final int OPCODE_CLOSE = 0x8;
  public static final int OPCODE_PING = 0x9;

  private final Socket socket;
  private final OutputStream out;
  private final InputStream in;

  private RawWebSocket(Socket socket) throws IOException {
    this.socket = socket;
    this.out = socket.getOutputStream();
    this.in = socket.getInputStream();
  }

  /** Opens a TCP connection and completes the upgrade; reads exactly the 101 response. */
  public static RawWebSocket open(int port, String path) throws IOException {
    Socket socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout((int) Duration.ofSeconds(15).toMillis());
    RawWebSocket ws = new RawWebSocket(socket);
    ws.out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
      + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
      .getBytes(StandardCharsets.ISO_8859_1));
    ws.out.flush();
    String head = ws.readHead();
    if (!head.startsWith("HTTP/1.1 101")) {
      socket.close();
      throw new IOException("upgrade refused: " + head);
    }
    return ws;
  }

  private String readHead() throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed during the upgrade");
      }
      head.write(b);
      matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  /** One masked frame with FIN set (payload below 126 bytes). */
  public static byte[] frame(int opcode, byte[] payload) {
    if (payload.length >= 126) {
      throw new IllegalArgumentException("short frames only");
    }
    byte[] frame = new byte[2 + 4 + payload.length];
    frame[0] = (byte) (0x80 | opcode);
    frame[1] = (byte) (0x80 | payload.length);
    byte[] mask = {0x11, 0x22, 0x33, 0x44};
    System.arraycopy(mask, 0, frame, 2, 4);
    for (int i = 0; i < payload.length; i++) {
      frame[6 + i] = (byte) (payload[i] ^ mask[i % 4]);
    }
    return frame;
  }

  public void write(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** Reads whatever comes until the server closes the connection (or the read times out). */
  public byte[] readToEnd() throws IOException {
    return in.readAllBytes();
  }

  public Socket socket() {
    return socket;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
