package io.kieworker.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;

/**
 * What the registry knows of one Kie.ai model, read from its schema file
 * ({@code src/main/resources/models/*.schema.json}): limits from the schema's keywords, the rest
 * from its {@code x-kie} block.
 *
 * @param id Kie.ai model id, e.g. {@code nano-banana-pro}
 * @param imageField name of the input field holding image URLs, or null when the model takes none
 * @param maxImages the most images {@code imageField} may hold, its {@code maxItems} (0 when there
 *     is no image field)
 * @param maxPromptLength the most characters {@code prompt} may hold, its {@code maxLength}
 * @param maxImageBytes the largest image Kie.ai accepts (checked for inline data: URIs)
 * @param expectedDuration typical generation time; seeds the tracker's first poll
 * @param credits typical credits one task costs (for estimates and the simulator)
 * @param schema the whole schema file (the JSON Schema of the model's {@code input} object plus
 *     {@code x-kie}); a private copy, so changing it changes nothing in the registry
 */
public record ModelSpec(
    String id,
    String imageField,
    int maxImages,
    int maxPromptLength,
    long maxImageBytes,
    Duration expectedDuration,
    double credits,
    JsonNode schema) {}
