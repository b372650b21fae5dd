package io.kieworker.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kieworker.model.CompiledSchema.Finding;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.DatabindCodec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The Kie.ai models the worker knows, each described by one JSON Schema file (draft 2020-12) with
 * Kie-specific facts in its {@code x-kie} block. The files are listed in an {@code index.json}
 * next to them, so adding a model is a data change. Immutable and thread-safe; every schema is
 * compiled once when the registry is loaded.
 */
public final class ModelRegistry {
  static final String CLASSPATH_DIR = "models/";
  static final String INDEX = "index.json";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, Model> models;
  private final CompiledSchema legacy;
  private final int legacyMaxImages;

  private record Model(ModelSpec spec, CompiledSchema schema) {}

  /** Opens a file named in the index; throws when it is absent. */
  private interface Source {
    InputStream open(String name) throws IOException;
  }

  private ModelRegistry(Map<String, Model> models, CompiledSchema legacy) {
    this.models = Collections.unmodifiableMap(models);
    this.legacy = legacy;
    this.legacyMaxImages = legacy.root().path("x-kie").path("maxImages").asInt(5);
  }

  /** The registry shipped in the jar (classpath {@code models/}). */
  public static ModelRegistry builtIn() {
    return BuiltIn.INSTANCE;
  }

  /**
   * A registry read from {@code dir/index.json} and the schema files it names. When the index has
   * no {@code legacy} entry, the built-in legacy schema is used.
   *
   * @throws IllegalStateException when a file is missing, unreadable or not a usable model schema
   */
  public static ModelRegistry load(Path dir) {
    return read(dir.toString(), name -> Files.newInputStream(dir.resolve(name)));
  }

  private static final class BuiltIn {
    static final ModelRegistry INSTANCE = read("classpath:" + CLASSPATH_DIR, ModelRegistry::openResource);
  }

  private static InputStream openResource(String name) throws IOException {
    InputStream in = ModelRegistry.class.getClassLoader().getResourceAsStream(CLASSPATH_DIR + name);
    if (in == null) {
      throw new IOException("no classpath resource " + CLASSPATH_DIR + name);
    }
    return in;
  }

  private static ModelRegistry read(String where, Source source) {
    JsonNode index = readJson(where, INDEX, source);
    Map<String, Model> models = new LinkedHashMap<>();
    for (JsonNode file : index.path("models")) {
      Model model = readModel(file.asText(), readJson(where, file.asText(), source));
      if (models.putIfAbsent(model.spec().id(), model) != null) {
        throw new IllegalStateException(
            where + ": model " + model.spec().id() + " is described by two schema files");
      }
    }
    if (models.isEmpty()) {
      throw new IllegalStateException(where + "/" + INDEX + " lists no model schema files");
    }
    String legacyFile = index.path("legacy").asText(null);
    CompiledSchema legacy = legacyFile == null
        ? BuiltIn.INSTANCE.legacy
        : new CompiledSchema(legacyFile, readJson(where, legacyFile, source),
            "the legacy endpoint", "the legacy generate body", "");
    return new ModelRegistry(models, legacy);
  }

  private static JsonNode readJson(String where, String name, Source source) {
    try (InputStream in = source.open(name)) {
      return JSON.readTree(in);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + where + "/" + name + ": " + e.getMessage(), e);
    }
  }

  private static Model readModel(String file, JsonNode root) {
    JsonNode kie = root.path("x-kie");
    String id = kie.path("model").asText("");
    if (id.isBlank()) {
      throw new IllegalStateException(file + ": x-kie.model is missing");
    }
    CompiledSchema schema = new CompiledSchema(file, root, id, id + "'s input", "input");
    String imageField = schema.imageField();
    ModelSpec spec = new ModelSpec(
        id,
        imageField,
        imageField == null ? 0 : requiredInt(file, root, "/properties/" + imageField + "/maxItems"),
        requiredInt(file, root, "/properties/prompt/maxLength"),
        kie.path("maxImageBytes").asLong(0),
        Duration.ofSeconds(kie.path("expectedSeconds").asLong(30)),
        kie.path("credits").asDouble(0),
        root.deepCopy());
    return new Model(spec, schema);
  }

  private static int requiredInt(String file, JsonNode root, String pointer) {
    JsonNode value = root.at(pointer);
    if (!value.canConvertToInt()) {
      throw new IllegalStateException(file + ": " + pointer + " must be an integer");
    }
    return value.intValue();
  }

  public Set<String> modelIds() {
    return models.keySet();
  }

  public Optional<ModelSpec> find(String modelId) {
    Model model = modelId == null ? null : models.get(modelId);
    return model == null ? Optional.empty() : Optional.of(model.spec());
  }

  /** Every violation of a Market createTask {@code input} for {@code modelId}; empty = valid. */
  public List<Violation> validateMarket(String modelId, JsonObject input) {
    Model model = modelId == null ? null : models.get(modelId);
    if (model == null) {
      return List.of(new Violation("model", unknownModel(modelId)));
    }
    if (input == null) {
      return List.of(new Violation("input", "is required and must be a JSON object"));
    }
    JsonNode node = toNode(input);
    List<Finding> checks = imageChecks(model, node);
    return merge(model.schema().findings(node), checks);
  }

  /** Every violation of a legacy {@code /api/v1/nano-banana/generate} body; empty = valid. */
  public List<Violation> validateLegacy(JsonObject body) {
    if (body == null) {
      return List.of(new Violation("body", "is required and must be a JSON object"));
    }
    JsonNode node = toNode(body);
    return merge(legacy.findings(node), legacyImageChecks(node));
  }

  private String unknownModel(String modelId) {
    String known = String.join(", ", models.keySet());
    return modelId == null
        ? "is required; known models: " + known
        : "unknown model " + Echo.quoted(modelId) + "; known models: " + known;
  }

  private static JsonNode toNode(JsonObject json) {
    return DatabindCodec.mapper().valueToTree(json.getMap());
  }

  private static List<Finding> imageChecks(Model model, JsonNode input) {
    ModelSpec spec = model.spec();
    JsonNode images = spec.imageField() == null ? null : input.get(spec.imageField());
    if (images == null || !images.isArray()) {
      return List.of();
    }
    List<Finding> findings = new ArrayList<>();
    for (int i = 0; i < images.size(); i++) {
      JsonNode image = images.get(i);
      if (image.isTextual()) {
        String path = model.schema().path(spec.imageField()) + "[" + i + "]";
        ImageRefCheck.marketImage(image.textValue(), spec.id(), spec.maxImageBytes())
            .ifPresent(problem -> findings.add(new Finding(path, "image", problem)));
      }
    }
    return findings;
  }

  private List<Finding> legacyImageChecks(JsonNode body) {
    String field = legacy.imageField();
    JsonNode value = field == null ? null : body.get(field);
    if (value == null || !value.isTextual()) {
      return List.of();
    }
    String[] entries = value.textValue().split(",", -1);
    List<Finding> findings = new ArrayList<>();
    if (entries.length > legacyMaxImages) {
      findings.add(new Finding(field, "image", "holds " + entries.length
          + " comma-separated URLs; the legacy endpoint allows at most " + legacyMaxImages));
    }
    for (int i = 0; i < entries.length; i++) {
      String entry = entries[i].trim();
      String ordinal = "entry " + (i + 1) + " ";
      if (entry.isEmpty()) {
        findings.add(new Finding(field, "image", ordinal + "is empty; separate URLs with single commas"));
      } else {
        ImageRefCheck.httpsOnly(entry)
            .ifPresent(problem -> findings.add(new Finding(field, "image", ordinal + problem)));
      }
    }
    return findings;
  }

  /**
   * Joins schema findings with the Java image checks: a wrong type hides the other complaints
   * about the same value, and a specific image complaint replaces the generic pattern one.
   */
  private static List<Violation> merge(List<Finding> schemaFindings, List<Finding> imageFindings) {
    if (schemaFindings.isEmpty() && imageFindings.isEmpty()) {
      return List.of();
    }
    Set<String> wrongType = new HashSet<>();
    schemaFindings.stream().filter(f -> f.keyword().equals("type")).forEach(f -> wrongType.add(f.path()));
    Set<String> imagePaths = new HashSet<>();
    imageFindings.forEach(f -> imagePaths.add(f.path()));

    List<Finding> kept = new ArrayList<>();
    for (Finding f : schemaFindings) {
      boolean hiddenByType = wrongType.contains(f.path()) && !f.keyword().equals("type");
      boolean hiddenByImage = imagePaths.contains(f.path()) && f.keyword().equals("pattern");
      if (!hiddenByType && !hiddenByImage) {
        kept.add(f);
      }
    }
    kept.addAll(imageFindings);
    kept.sort(Comparator.comparing(Finding::path, PATH_ORDER));
    return kept.stream().map(Finding::toViolation).toList();
  }

  /** Orders by field, then by item index, so input.image_input[2] comes before [10]. */
  private static final Comparator<String> PATH_ORDER =
      Comparator.comparing(ModelRegistry::fieldOf).thenComparingInt(ModelRegistry::indexOf);

  private static String fieldOf(String path) {
    int bracket = path.indexOf('[');
    return bracket < 0 ? path : path.substring(0, bracket);
  }

  private static int indexOf(String path) {
    int bracket = path.indexOf('[');
    if (bracket < 0) {
      return -1;
    }
    int end = path.indexOf(']', bracket);
    try {
      return Integer.parseInt(path.substring(bracket + 1, end < 0 ? path.length() : end));
    } catch (NumberFormatException e) {
      return Integer.MAX_VALUE;
    }
  }
}
