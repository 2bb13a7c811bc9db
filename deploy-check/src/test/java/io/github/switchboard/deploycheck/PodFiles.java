package io.github.switchboard.deploycheck;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapKeySelector;
import io.fabric8.kubernetes.api.model.ConfigMapProjection;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeProjection;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a container sees at run time, worked out from the manifests alone: its environment
 * (values, ConfigMap keys, downward API fields, {@code $(VAR)} expansion as the kubelet does it),
 * the content of a file under one of its ConfigMap mounts, and which Secret key a file under a
 * Secret mount would come from.
 */
final class PodFiles {

  /** {@code $(NAME)} as Kubernetes expands it in command, args and env values; {@code $$} escapes. */
  private static final Pattern REFERENCE = Pattern.compile("\\$\\$|\\$\\(([A-Za-z_][A-Za-z0-9_.-]*)\\)");

  /** Downward API fields an env var may take with fieldRef (labels/annotations are checked apart). */
  static final Set<String> FIELD_PATHS = Set.of("metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName",
    "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs");

  /** A file inside the pod that comes from a ConfigMap key. */
  record ConfigFile(String configMap, String key, String content) {
  }

  private PodFiles() {
  }

  /**
   * The container's environment in order. Field references take their value from
   * {@code fields} (fieldPath -> value); a reference to a Secret is left out (Secrets are not
   * in the manifests); each reference that cannot be resolved is reported in {@code problems}.
   */
  static Map<String, String> environment(Manifests manifests, Container container, Map<String, String> fields,
                                         List<String> problems) {
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar var : container.getEnv() == null ? List.<EnvVar>of() : container.getEnv()) {
      String name = var.getName();
      EnvVarSource from = var.getValueFrom();
      if (from == null) {
        List<String> unresolved = new ArrayList<>();
        env.put(name, expand(var.getValue() == null ? "" : var.getValue(), env, unresolved));
        unresolved.forEach(ref -> problems.add("env " + name + " refers to $(" + ref + "), which is not defined before it"));
      } else if (from.getFieldRef() != null) {
        String path = from.getFieldRef().getFieldPath();
        if (fields.containsKey(path)) {
          env.put(name, fields.get(path));
        } else {
          problems.add("env " + name + " takes unsupported field " + path);
        }
      } else if (from.getConfigMapKeyRef() != null) {
        ConfigMapKeySelector ref = from.getConfigMapKeyRef();
        String value = manifests.configMap(ref.getName()).map(c -> data(c).get(ref.getKey())).orElse(null);
        if (value == null) {
          problems.add("env " + name + " refers to ConfigMap " + ref.getName() + " key " + ref.getKey()
            + ", which is not in the manifests");
        } else {
          env.put(name, value);
        }
      } else if (from.getSecretKeyRef() != null) {
        if (!Boolean.TRUE.equals(from.getSecretKeyRef().getOptional())) {
          problems.add("env " + name + " needs Secret " + from.getSecretKeyRef().getName()
            + ", which the manifests do not create: mark it optional: true or pods will not start");
        }
      } else if (from.getResourceFieldRef() == null) {
        problems.add("env " + name + " has a valueFrom of an unsupported kind");
      }
    }
    return env;
  }

  /** Expands {@code $(NAME)} from {@code env}; names not in it stay as they are and are listed. */
  static String expand(String text, Map<String, String> env, List<String> unresolved) {
    Matcher m = REFERENCE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String replacement;
      if (m.group().equals("$$")) {
        replacement = "$";
      } else if (env.containsKey(m.group(1))) {
        replacement = env.get(m.group(1));
      } else {
        unresolved.add(m.group(1));
        replacement = m.group();
      }
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** The file at {@code path} in the container if a ConfigMap mount provides it. */
  static Optional<ConfigFile> file(Manifests manifests, PodSpec pod, Container container, String path) {
    Optional<Mounted> mounted = mounted(container, path);
    Volume volume = mounted.map(m -> volume(pod, m.mount().getName())).orElse(null);
    if (volume == null) {
      return Optional.empty();
    }
    String relative = mounted.get().relative();
    List<Source> sources = new ArrayList<>();
    if (volume.getConfigMap() != null) {
      sources.add(new Source(volume.getConfigMap().getName(), volume.getConfigMap().getItems()));
    }
    if (volume.getProjected() != null && volume.getProjected().getSources() != null) {
      for (VolumeProjection projection : volume.getProjected().getSources()) {
        ConfigMapProjection c = projection.getConfigMap();
        if (c != null) {
          sources.add(new Source(c.getName(), c.getItems()));
        }
      }
    }
    for (Source source : sources) {
      Optional<ConfigMap> map = manifests.configMap(source.name());
      if (map.isEmpty()) {
        continue;
      }
      String key = null;
      if (source.items() == null || source.items().isEmpty()) {
        key = relative;
      } else {
        for (KeyToPath item : source.items()) {
          if (relative.equals(item.getPath())) {
            key = item.getKey();
          }
        }
      }
      String content = key == null ? null : data(map.get()).get(key);
      if (content != null) {
        return Optional.of(new ConfigFile(source.name(), key, content));
      }
    }
    return Optional.empty();
  }

  private record Source(String name, List<KeyToPath> items) {
  }

  /**
   * The Secret and key that would provide the file at {@code path} through a Secret volume of
   * the container. Only named, never read: the manifests create no Secret (the operator does, or
   * not), and a missing optional one leaves the mount an empty directory.
   */
  static Optional<SecretFile> secretFile(PodSpec pod, Container container, String path) {
    Optional<Mounted> mounted = mounted(container, path);
    Volume volume = mounted.map(m -> volume(pod, m.mount().getName())).orElse(null);
    if (volume == null || volume.getSecret() == null) {
      return Optional.empty();
    }
    String secret = volume.getSecret().getSecretName();
    String relative = mounted.get().relative();
    List<KeyToPath> items = volume.getSecret().getItems();
    if (items == null || items.isEmpty()) {
      return Optional.of(new SecretFile(secret, relative));
    }
    return items.stream().filter(item -> relative.equals(item.getPath())).findFirst()
      .map(item -> new SecretFile(secret, item.getKey()));
  }

  /** A file inside the pod that would come from a Secret key. */
  record SecretFile(String secret, String key) {
  }

  private record Mounted(VolumeMount mount, String relative) {
  }

  /** The first mount of the container whose directory (or subPath file) holds {@code path}. */
  private static Optional<Mounted> mounted(Container container, String path) {
    for (VolumeMount mount : container.getVolumeMounts() == null ? List.<VolumeMount>of() : container.getVolumeMounts()) {
      String mountPath = strip(mount.getMountPath());
      if (mount.getSubPath() != null && !mount.getSubPath().isEmpty()) {
        if (path.equals(mountPath)) {
          return Optional.of(new Mounted(mount, mount.getSubPath()));
        }
      } else if (path.startsWith(mountPath + "/")) {
        return Optional.of(new Mounted(mount, path.substring(mountPath.length() + 1)));
      }
    }
    return Optional.empty();
  }

  static Volume volume(PodSpec pod, String name) {
    if (pod.getVolumes() == null) {
      return null;
    }
    return pod.getVolumes().stream().filter(v -> name != null && name.equals(v.getName())).findFirst().orElse(null);
  }

  static Map<String, String> data(ConfigMap map) {
    return map.getData() == null ? Map.of() : map.getData();
  }

  private static String strip(String mountPath) {
    return mountPath != null && mountPath.endsWith("/") ? mountPath.substring(0, mountPath.length() - 1) : mountPath;
  }

  /** The value that follows {@code flag} on the command line, or null. */
  static String argument(List<String> commandLine, String flag) {
    int i = commandLine.indexOf(flag);
    return i >= 0 && i + 1 < commandLine.size() ? commandLine.get(i + 1) : null;
  }
}
