package io.github.switchboard.deploycheck;

import io.fabric8.kubernetes.api.model.Container;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The three runnable processes, recognised in a container by the jar its command runs. */
enum Component {
  GATEWAY("gateway-fat.jar", "gateway-verticle", true),
  CHAT("chat-fat.jar", "chat-verticle", false),
  SIMULATOR("simulator-fat.jar", "simulator-verticle", false);

  /** Where the Dockerfile puts the jars in the image. */
  static final String IMAGE_DIR = "/app/";

  private final String jar;
  private final String module;
  private final boolean servesHttp;

  Component(String jar, String module, boolean servesHttp) {
    this.jar = jar;
    this.module = module;
    this.servesHttp = servesHttp;
  }

  String jar() {
    return jar;
  }

  /** The jar's path inside the image. */
  String imagePath() {
    return IMAGE_DIR + jar;
  }

  /** The jar as Maven builds it, relative to the deploy-check module directory. */
  Path builtJar() {
    return Path.of("..", module, "target", jar);
  }

  Path moduleDir() {
    return Path.of("..", module);
  }

  /**
   * Whether the process always serves HTTP (the gateway). Chat and simulator serve /health/* and
   * /metrics only on the port their SWITCHBOARD_HEALTH_PORT names.
   */
  boolean servesHttp() {
    return servesHttp;
  }

  boolean runs(Container container) {
    return commandLine(container).contains(imagePath());
  }

  static List<String> commandLine(Container container) {
    List<String> line = new ArrayList<>();
    if (container.getCommand() != null) {
      line.addAll(container.getCommand());
    }
    if (container.getArgs() != null) {
      line.addAll(container.getArgs());
    }
    return line;
  }

  static Component of(Container container) {
    for (Component component : values()) {
      if (component.runs(container)) {
        return component;
      }
    }
    return null;
  }
}
