package io.kieworker.sim;

/**
 * A file the simulator's upload API holds, as Kie.ai would serve it from {@code downloadUrl}.
 *
 * @param sha256 hex SHA-256 of the stored bytes (a URL upload stores a digest of the URL: the
 *     simulator never fetches it)
 * @param uploads how many uploads wrote this path; above 1 the last one overwrote the others
 */
public record SimFile(String filePath, String sha256, long size, int uploads) {}
