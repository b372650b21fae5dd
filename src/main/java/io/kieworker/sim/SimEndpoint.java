package io.kieworker.sim;

import java.util.Arrays;

/** The API endpoints, by the names {@code /sim/script} uses. */
public enum SimEndpoint {
  CREATE_TASK("createTask"),
  RECORD_INFO("recordInfo"),
  LEGACY_GENERATE("legacyGenerate"),
  LEGACY_RECORD_INFO("legacyRecordInfo"),
  CREDIT("credit"),
  DOWNLOAD_URL("downloadUrl"),
  UPLOAD_BASE64("fileBase64Upload"),
  UPLOAD_STREAM("fileStreamUpload"),
  UPLOAD_URL("fileUrlUpload");

  private final String wireName;

  SimEndpoint(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  boolean creates() {
    return this == CREATE_TASK || this == LEGACY_GENERATE;
  }

  boolean isUpload() {
    return this == UPLOAD_BASE64 || this == UPLOAD_STREAM || this == UPLOAD_URL;
  }

  public static SimEndpoint fromWire(String name) {
    return Arrays.stream(values())
        .filter(e -> e.wireName.equals(name) || e.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown endpoint: " + name
            + " (one of " + Arrays.stream(values()).map(SimEndpoint::wireName).toList() + ")"));
  }
}
