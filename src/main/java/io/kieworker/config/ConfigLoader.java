package io.kieworker.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Reads {@code conf/application.yaml} with {@code ${ENV:default}} placeholders filled from the
 * environment and checks every value, failing with all problems at once. The bundled copy (classpath
 * {@code conf/application.yaml}) is the base; a given file is laid over it, so it needs only the keys
 * it changes. Blocking file I/O: call it at startup, never on an event loop.
 */
public final class ConfigLoader {
  public static final String BUNDLED = "conf/application.yaml";

  private ConfigLoader() {}

  /**
   * @param file a YAML file laid over the bundled one, or null for the bundled one alone
   * @param env the environment, normally {@code System.getenv()}
   * @throws ConfigException listing every problem found
   */
  public static WorkerConfig load(Path file, Map<String, String> env) {
    ObjectNode tree = bundled();
    if (file != null) {
      overlay(tree, readFile(file));
    }
    Map<String, String> envNames = new HashMap<>();
    substitute(tree, "", env, envNames);
    List<String> problems = new ArrayList<>();
    RawConfig raw = bind(tree, problems);
    return new ConfigBinder(envNames, problems).bind(raw);
  }

  private static YAMLMapper mapper(List<String> unknownKeys) {
    YAMLMapper mapper = new YAMLMapper();
    mapper.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    mapper.addHandler(new DeserializationProblemHandler() {
      @Override
      public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p,
          JsonDeserializer<?> deserializer, Object beanOrClass, String propertyName) throws IOException {
        // For a mapping or list value the parser has already entered it; its parent holds the key.
        JsonStreamContext holder = p.currentToken() != null && p.currentToken().isStructStart()
            ? p.getParsingContext().getParent() : p.getParsingContext();
        String path = holder == null ? propertyName : dotted(holder.pathAsPointer().toString());
        unknownKeys.add("unknown key " + (path.isEmpty() ? propertyName : path) + " (a typo? it would be ignored)");
        p.skipChildren();
        return true;
      }
    });
    return mapper;
  }

  private static String dotted(String pointer) {
    return pointer.replaceFirst("^/", "").replace('/', '.');
  }

  private static ObjectNode bundled() {
    try (InputStream in = ConfigLoader.class.getClassLoader().getResourceAsStream(BUNDLED)) {
      if (in == null) {
        throw new IllegalStateException("classpath resource " + BUNDLED + " is missing from the build");
      }
      return (ObjectNode) new YAMLMapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read bundled " + BUNDLED, e);
    }
  }

  private static ObjectNode readFile(Path file) {
    try {
      JsonNode node = new YAMLMapper().readTree(file.toFile());
      if (node == null || node.isMissingNode() || node.isNull()) {
        return JsonNodeFactory.instance.objectNode();
      }
      if (!node.isObject()) {
        throw new ConfigException(List.of(file + " must hold a YAML mapping, not " + node.getNodeType()));
      }
      return (ObjectNode) node;
    } catch (JsonProcessingException e) {
      throw new ConfigException(List.of(file + " is not valid YAML: " + e.getOriginalMessage()
          + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr())));
    } catch (IOException e) {
      throw new ConfigException(List.of("cannot read " + file + ": " + e));
    }
  }

  /** Mappings merge key by key; any other value in {@code top} replaces the base's. */
  private static void overlay(ObjectNode base, ObjectNode top) {
    top.fields().forEachRemaining(e -> {
      JsonNode existing = base.get(e.getKey());
      if (existing instanceof ObjectNode baseChild && e.getValue() instanceof ObjectNode topChild) {
        overlay(baseChild, topChild);
      } else {
        base.set(e.getKey(), e.getValue());
      }
    });
  }

  private static void substitute(ObjectNode node, String prefix, Map<String, String> env,
      Map<String, String> envNames) {
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String path = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
      JsonNode value = e.getValue();
      if (value instanceof ObjectNode child) {
        substitute(child, path, env, envNames);
      } else if (value.isTextual()) {
        Placeholders.Resolved resolved = Placeholders.resolve(value.textValue(), env);
        if (resolved.envName() != null) {
          envNames.put(path, resolved.envName());
        }
        e.setValue(resolved.value() == null
            ? JsonNodeFactory.instance.nullNode()
            : JsonNodeFactory.instance.textNode(resolved.value()));
      }
    }
  }

  private static RawConfig bind(ObjectNode tree, List<String> problems) {
    List<String> unknownKeys = new ArrayList<>();
    try {
      RawConfig raw = mapper(unknownKeys).treeToValue(tree, RawConfig.class);
      problems.addAll(unknownKeys);
      return raw == null ? RawConfig.EMPTY : raw;
    } catch (JsonProcessingException e) {
      problems.addAll(unknownKeys);
      problems.add(describe(e));
      return RawConfig.EMPTY;
    }
  }

  private static String describe(JsonProcessingException e) {
    String message = e.getOriginalMessage();
    int newline = message.indexOf('\n');
    message = newline < 0 ? message : message.substring(0, newline);
    if (e instanceof com.fasterxml.jackson.databind.JsonMappingException m && !m.getPath().isEmpty()) {
      StringBuilder path = new StringBuilder();
      m.getPath().forEach(ref -> path.append(path.length() == 0 ? "" : ".").append(ref.getFieldName()));
      return path + " has the wrong shape: " + message;
    }
    return "configuration has the wrong shape: " + message;
  }
}
