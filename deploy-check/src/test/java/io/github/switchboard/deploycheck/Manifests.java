package io.github.switchboard.deploycheck;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Every object of a manifest directory, as {@code kubectl apply -f <dir>} would read it: the
 * {@code .yaml}, {@code .yml} and {@code .json} files directly in it (not in subdirectories),
 * each possibly holding several documents. Whatever cannot be read is a {@link #problems()}
 * entry rather than an exception, so that a checker reports every problem at once.
 */
final class Manifests {

  /** The kinds the manifests use, with the only apiVersion accepted for each. */
  static final Map<String, Kind> KINDS = Map.of(
    "Deployment", new Kind("apps/v1", Deployment.class),
    "Service", new Kind("v1", Service.class),
    "ConfigMap", new Kind("v1", ConfigMap.class),
    "HorizontalPodAutoscaler", new Kind("autoscaling/v2", HorizontalPodAutoscaler.class));

  record Kind(String apiVersion, Class<? extends HasMetadata> type) {
  }

  /** One object and where it came from ("file.yaml" or "file.yaml#2" for a later document). */
  record Manifest(String source, HasMetadata object) {
  }

  static final ObjectMapper YAML = yamlMapper();

  private final Path dir;
  private final List<Manifest> manifests;
  private final List<String> problems;

  private Manifests(Path dir, List<Manifest> manifests, List<String> problems) {
    this.dir = dir;
    this.manifests = List.copyOf(manifests);
    this.problems = List.copyOf(problems);
  }

  /**
   * A mapper that refuses what the API server would refuse and Jackson would let through: a
   * key given twice, and a number or boolean where Kubernetes wants a string (an unquoted
   * {@code 5702} in args, {@code true} as an env value or annotation).
   */
  private static ObjectMapper yamlMapper() {
    ObjectMapper mapper = new ObjectMapper(new YAMLFactory());
    mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    mapper.enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
    mapper.coercionConfigFor(LogicalType.Textual)
      .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
      .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
      .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    return mapper;
  }

  static Manifests load(Path dir) {
    List<Manifest> manifests = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      problems.add(dir.toAbsolutePath().normalize() + " is not a directory");
      return new Manifests(dir, manifests, problems);
    }
    List<Path> entries;
    try (Stream<Path> list = Files.list(dir)) {
      entries = list.sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (Path entry : entries) {
      String name = entry.getFileName().toString();
      if (Files.isDirectory(entry)) {
        problems.add(name + "/: kubectl apply -f (without -R) ignores subdirectories; keep manifests flat");
      } else if (name.equals("kustomization.yaml") || name.equals("kustomization.yml") || name.equals("Kustomization")) {
        problems.add(name + ": a kustomization file makes `kubectl apply -f k8s` fail; the manifests are plain files");
      } else if (name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json")) {
        read(entry, manifests, problems);
      }
    }
    return new Manifests(dir, manifests, problems);
  }

  /** The manifests of the directory with one file's content replaced (or added), for negative tests. */
  static Manifests loadWith(Path dir, String fileName, String content) {
    try {
      Path copy = Files.createTempDirectory("manifests");
      try (Stream<Path> list = Files.list(dir)) {
        for (Path file : list.filter(Files::isRegularFile).toList()) {
          Files.copy(file, copy.resolve(file.getFileName()));
        }
      }
      Files.writeString(copy.resolve(fileName), content, StandardCharsets.UTF_8);
      return load(copy);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void read(Path file, List<Manifest> manifests, List<String> problems) {
    String name = file.getFileName().toString();
    List<JsonNode> documents = new ArrayList<>();
    try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
      while (it.hasNextValue()) {
        JsonNode node = it.nextValue();
        if (node != null && !node.isNull() && !node.isMissingNode()) {
          documents.add(node);
        }
      }
    } catch (IOException | RuntimeException e) {
      problems.add(name + ": not readable YAML: " + e.getMessage());
      return;
    }
    if (documents.isEmpty()) {
      problems.add(name + ": holds no object");
    }
    for (int i = 0; i < documents.size(); i++) {
      String source = i == 0 ? name : name + "#" + (i + 1);
      JsonNode node = documents.get(i);
      String kind = node.path("kind").asText("");
      String apiVersion = node.path("apiVersion").asText("");
      Kind expected = KINDS.get(kind);
      if (expected == null) {
        problems.add(source + ": kind '" + kind + "' is not one the checker knows (" + KINDS.keySet()
          + "); add it to Manifests.KINDS and to the checks");
        continue;
      }
      if (!expected.apiVersion().equals(apiVersion)) {
        problems.add(source + ": " + kind + " must have apiVersion " + expected.apiVersion() + ", not '" + apiVersion + "'");
        continue;
      }
      try {
        manifests.add(new Manifest(source, YAML.treeToValue(node, expected.type())));
      } catch (IOException | RuntimeException e) {
        problems.add(source + ": not a valid " + kind + ": " + e.getMessage());
      }
    }
  }

  Path dir() {
    return dir;
  }

  List<Manifest> all() {
    return manifests;
  }

  List<String> problems() {
    return problems;
  }

  <T extends HasMetadata> List<T> all(Class<T> type) {
    return manifests.stream().map(Manifest::object).filter(type::isInstance).map(type::cast).toList();
  }

  Optional<ConfigMap> configMap(String name) {
    return all(ConfigMap.class).stream().filter(c -> name.equals(c.getMetadata().getName())).findFirst();
  }

  /** The Deployment whose pods run the component's jar. */
  Optional<Deployment> deployment(Component component) {
    return all(Deployment.class).stream().filter(d -> containers(d).stream().anyMatch(component::runs)).findFirst();
  }

  static List<Container> containers(Deployment deployment) {
    try {
      List<Container> containers = deployment.getSpec().getTemplate().getSpec().getContainers();
      return containers == null ? List.of() : containers;
    } catch (NullPointerException e) {
      return List.of();
    }
  }

  static String name(HasMetadata object) {
    return object.getMetadata() == null ? null : object.getMetadata().getName();
  }
}
