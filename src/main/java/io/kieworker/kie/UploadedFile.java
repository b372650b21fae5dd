package io.kieworker.kie;

/** A file stored by Kie.ai's File Upload API; {@code downloadUrl} is what a task's input takes. */
public record UploadedFile(
    String downloadUrl, String fileName, String filePath, Long fileSize, String mimeType, String uploadedAt) {}
