package io.github.switchboard.deploycheck;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.AnnotatedMember;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;

import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Collections;

/**
 * Finds the fields fabric8 did not know. Its model classes take any unknown YAML key into an
 * {@code additionalProperties} map instead of failing, so a misspelled {@code replicaz} or a
 * {@code livenesProbe} parses fine and is silently ignored. This walks every property Jackson
 * sees on the parsed objects and reports each non-empty map with its path.
 */
final class UnknownFields {

  private final ObjectMapper mapper;

  UnknownFields(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  void check(Object root, String source, List<String> problems) {
    walk(root, "", source, problems, Collections.newSetFromMap(new IdentityHashMap<>()));
  }

  private void walk(Object value, String path, String source, List<String> problems, Set<Object> seen) {
    if (value == null) {
      return;
    }
    if (value instanceof Collection<?> items) {
      int i = 0;
      for (Object item : items) {
        walk(item, path + "[" + i++ + "]", source, problems, seen);
      }
      return;
    }
    if (value instanceof Map<?, ?> map) {
      map.forEach((k, v) -> walk(v, path + "[" + k + "]", source, problems, seen));
      return;
    }
    if (!value.getClass().getName().startsWith("io.fabric8.") || !seen.add(value)) {
      return;
    }
    Map<?, ?> unknown = additionalProperties(value);
    if (unknown != null && !unknown.isEmpty()) {
      problems.add(source + ": unknown field(s) " + unknown.keySet() + " at " + (path.isEmpty() ? "top level" : path.substring(1))
        + " (" + value.getClass().getSimpleName() + ")");
    }
    BeanDescription description = mapper.getSerializationConfig().introspect(mapper.constructType(value.getClass()));
    for (BeanPropertyDefinition property : description.findProperties()) {
      AnnotatedMember getter = property.getAccessor();
      if (getter == null || property.getName().equals("additionalProperties")) {
        continue;
      }
      Object child;
      try {
        child = getter.getValue(value);
      } catch (RuntimeException e) {
        problems.add(source + ": " + path + "." + property.getName() + " cannot be read: " + e.getMessage());
        continue;
      }
      walk(child, path + "." + property.getName(), source, problems, seen);
    }
  }

  private static Map<?, ?> additionalProperties(Object value) {
    try {
      Object map = value.getClass().getMethod("getAdditionalProperties").invoke(value);
      return map instanceof Map<?, ?> m ? m : null;
    } catch (NoSuchMethodException e) {
      return null;
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }
}
