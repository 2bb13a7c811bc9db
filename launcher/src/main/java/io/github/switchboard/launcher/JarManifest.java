package io.github.switchboard.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.Enumeration;
import java.util.jar.Attributes;
import java.util.jar.Manifest;

/**
 * What the fat jar that started this process says of itself in its manifest (the one whose
 * {@code Main-Class} is the launcher, as Vert.x finds {@code Main-Verticle}).
 */
public final class JarManifest {

  /** {@code true} in the gateway jar: it joins the cluster as a Hazelcast lite member. */
  static final String LITE_MEMBER = "Switchboard-Lite-Member";
  /** The project version the jar was built from (the admin page and the member directory show it). */
  static final String VERSION = "Switchboard-Version";
  /** What {@link #version} says when the process runs from classes, not from a fat jar (tests, an IDE). */
  public static final String UNPACKAGED = "unpackaged";

  private JarManifest() {
  }

  /** False when started from classes (tests) or from a jar that does not say. */
  static boolean liteMemberByDefault() {
    String value = attribute(LITE_MEMBER);
    return value != null && Boolean.parseBoolean(value.strip());
  }

  /** The version of the fat jar this process runs from, or {@value #UNPACKAGED}. */
  public static String version() {
    String value = attribute(VERSION);
    return value == null || value.isBlank() ? UNPACKAGED : value.strip();
  }

  static String attribute(String name) {
    try {
      Enumeration<URL> manifests = JarManifest.class.getClassLoader().getResources("META-INF/MANIFEST.MF");
      while (manifests.hasMoreElements()) {
        try (InputStream in = manifests.nextElement().openStream()) {
          Attributes main = new Manifest(in).getMainAttributes();
          if (SwitchboardLauncher.class.getName().equals(main.getValue(Attributes.Name.MAIN_CLASS))) {
            return main.getValue(name);
          }
        }
      }
    } catch (IOException e) {
      return null;
    }
    return null;
  }
}
