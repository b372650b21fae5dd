package io.kieworker.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the configuration: for every setting of {@link Settings}, its environment variable when set
 * and non-empty, else the value in the YAML file (where {@code ${ENV:default}} placeholders are
 * filled from the environment), else the setting's default. Every value is checked and every
 * problem reported at once. Blocking file I/O: call it at startup, never on an event loop.
 */
public final class ConfigLoader {
  /** The file key whose value is a map passed to every Kafka client as is. */
  static final String KAFKA_PROPERTIES = "kafka.properties";

  private ConfigLoader() {}

  /**
   * Everything {@code run} needs.
   *
   * @param file a YAML file (only the keys it changes), or null for environment and defaults alone
   * @param env the environment, normally {@code System.getenv()}
   * @throws ConfigException listing every problem found
   */
  public static WorkerConfig load(Path file, Map<String, String> env) {
    ConfigValues values = values(file, env);
    return new ConfigBinder(values).bind();
  }

  /** What the Kafka tools ({@code dlq replay}) need: brokers, client properties and topics; no API key. */
  public static KafkaAccess loadKafka(Path file, Map<String, String> env) {
    ConfigValues values = values(file, env);
    return new ConfigBinder(values).bindKafkaAccess();
  }

  /** The resolved text of every setting with where it came from (for {@code kie-worker config}). */
  public static ConfigValues values(Path file, Map<String, String> env) {
    List<String> problems = new ArrayList<>();
    Map<String, String> fileText = new LinkedHashMap<>();
    Map<String, String> fileEnvNames = new HashMap<>();
    Map<String, String> kafkaProperties = new LinkedHashMap<>();
    if (file != null) {
      ObjectNode tree = readFile(file);
      flatten(tree, "", env, fileText, fileEnvNames, kafkaProperties, problems);
    }
    return new ConfigValues(env, fileText, fileEnvNames, kafkaProperties, problems);
  }

  private static ObjectNode readFile(Path file) {
    try {
      JsonNode node = new YAMLMapper().readTree(file.toFile());
      if (node == null || node.isMissingNode() || node.isNull()) {
        return new YAMLMapper().createObjectNode();
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

  /** Scalars by dotted path, placeholders filled; unknown keys and wrong shapes become problems. */
  private static void flatten(ObjectNode node, String prefix, Map<String, String> env, Map<String, String> text,
      Map<String, String> envNames, Map<String, String> kafkaProperties, List<String> problems) {
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String path = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
      JsonNode value = e.getValue();
      if (path.equals(KAFKA_PROPERTIES)) {
        kafkaProperties(value, env, kafkaProperties, problems);
      } else if (value instanceof ObjectNode child && isSection(path)) {
        flatten(child, path, env, text, envNames, kafkaProperties, problems);
      } else if (!isSetting(path)) {
        problems.add("unknown key " + path + " (a typo? it would be ignored)");
      } else if (value.isContainerNode()) {
        problems.add(path + " has the wrong shape: a single value is expected, not a " + value.getNodeType());
      } else if (!value.isNull()) {
        Placeholders.Resolved resolved = Placeholders.resolve(value.asText(), env);
        if (resolved.envName() != null) {
          envNames.put(path, resolved.envName());
        }
        if (resolved.value() != null) {
          text.put(path, resolved.value());
        }
      }
    }
  }

  private static void kafkaProperties(JsonNode value, Map<String, String> env, Map<String, String> out,
      List<String> problems) {
    if (!(value instanceof ObjectNode map)) {
      if (!value.isNull()) {
        problems.add(KAFKA_PROPERTIES + " has the wrong shape: a mapping of client properties is expected");
      }
      return;
    }
    map.fields().forEachRemaining(p -> {
      if (p.getValue().isContainerNode()) {
        problems.add(KAFKA_PROPERTIES + "." + p.getKey() + " has the wrong shape: a single value is expected");
        return;
      }
      String resolved = p.getValue().isNull() ? null : Placeholders.resolve(p.getValue().asText(), env).value();
      if (resolved != null) {
        out.put(p.getKey(), resolved);
      }
    });
  }

  private static boolean isSection(String path) {
    return Settings.all().stream().anyMatch(s -> s.section().equals(path));
  }

  private static boolean isSetting(String path) {
    return Settings.all().stream().anyMatch(s -> s.path().equals(path));
  }
}
