package io.github.switchboard.launcher;

import io.vertx.core.transport.Transport;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Picks the Netty transport of the process from {@code SWITCHBOARD_TRANSPORT} (system property
 * or environment): {@code auto} (the default) takes Linux epoll when its native library loads
 * and NIO otherwise; {@code nio}, {@code epoll} and {@code io_uring} ask for one, and a native
 * transport that cannot load then stops the start-up instead of quietly running on another.
 *
 * <p>epoll is the default on Linux because every delivery is one socket write: NIO copies each
 * frame from the pooled buffer through the JDK's own temporary direct buffer and selector
 * bookkeeping, epoll writes the pooled buffer directly (see docs/benchmarks.md for the figures).
 */
public final class TransportSelector {

  public static final String SETTING = "SWITCHBOARD_TRANSPORT";
  public static final String DEFAULT = "auto";
  static final List<String> KNOWN = List.of("auto", "nio", "epoll", "io_uring");

  /** What was chosen, and why, for the start-up log. */
  public record Choice(Transport transport, String reason) {
  }

  private TransportSelector() {
  }

  public static Choice select() {
    return select(System.getProperty(SETTING, System.getenv(SETTING)), TransportSelector::byName);
  }

  /**
   * @param lookup the transport of a name, or null when Vert.x cannot even load its classes
   * @throws IllegalArgumentException for an unknown name or an explicit transport that is not
   *                                  available on this machine
   */
  static Choice select(String setting, Function<String, Transport> lookup) {
    String name = setting == null || setting.isBlank() ? DEFAULT : setting.strip().toLowerCase(Locale.ROOT);
    if (!KNOWN.contains(name)) {
      throw new IllegalArgumentException(SETTING + "=" + setting + " is not one of " + KNOWN);
    }
    if (name.equals("nio")) {
      return new Choice(Transport.NIO, SETTING + "=nio");
    }
    if (name.equals("auto")) {
      Transport epoll = lookup.apply("epoll");
      if (epoll != null && epoll.available()) {
        return new Choice(epoll, SETTING + "=auto, epoll available");
      }
      return new Choice(Transport.NIO, SETTING + "=auto, epoll unavailable ("
        + (epoll == null ? "not on the class path" : String.valueOf(epoll.unavailabilityCause())) + ")");
    }
    Transport transport = lookup.apply(name);
    if (transport == null || !transport.available()) {
      throw new IllegalArgumentException(SETTING + "=" + name + " but that transport is not available here: "
        + (transport == null ? "not on the class path" : transport.unavailabilityCause()));
    }
    return new Choice(transport, SETTING + "=" + name);
  }

  private static Transport byName(String name) {
    return switch (name) {
      case "epoll" -> Transport.EPOLL;
      case "io_uring" -> Transport.IO_URING;
      default -> Transport.NIO;
    };
  }
}
