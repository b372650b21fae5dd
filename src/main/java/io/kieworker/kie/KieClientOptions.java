package io.kieworker.kie;

import java.time.Duration;
import java.util.Objects;

/** How to reach Kie.ai. Immutable; {@link #toString()} masks the key. */
public final class KieClientOptions {
  public static final String DEFAULT_BASE_URL = "https://api.kie.ai";
  public static final String DEFAULT_UPLOAD_BASE_URL = "https://kieai.redpandaai.co";
  /** Kie.ai's CDN has answered 403 to clients without a browser-like User-Agent. */
  public static final String DEFAULT_USER_AGENT = "Mozilla/5.0 (compatible; kie-worker/0.1)";

  private final String baseUrl;
  private final String uploadBaseUrl;
  private final String apiKey;
  private final String userAgent;
  private final Duration connectTimeout;
  private final Duration requestTimeout;
  private final Duration uploadTimeout;
  private final int maxConnections;
  private final RetryPolicy retryPolicy;

  private KieClientOptions(Builder b) {
    this.baseUrl = stripSlash(Objects.requireNonNull(b.baseUrl, "baseUrl"));
    this.uploadBaseUrl = stripSlash(Objects.requireNonNull(b.uploadBaseUrl, "uploadBaseUrl"));
    if (b.apiKey == null || b.apiKey.isBlank()) {
      throw new IllegalArgumentException("a Kie.ai API key is required (KIE_API_KEY or KIE_API_KEY_FILE)");
    }
    this.apiKey = b.apiKey.trim();
    this.userAgent = b.userAgent;
    this.connectTimeout = b.connectTimeout;
    this.requestTimeout = b.requestTimeout;
    this.uploadTimeout = b.uploadTimeout;
    this.maxConnections = b.maxConnections;
    this.retryPolicy = b.retryPolicy;
  }

  public static Builder builder() {
    return new Builder();
  }

  public String baseUrl() { return baseUrl; }
  public String uploadBaseUrl() { return uploadBaseUrl; }
  String apiKey() { return apiKey; }
  public String userAgent() { return userAgent; }
  public Duration connectTimeout() { return connectTimeout; }
  public Duration requestTimeout() { return requestTimeout; }
  public Duration uploadTimeout() { return uploadTimeout; }
  public int maxConnections() { return maxConnections; }
  public RetryPolicy retryPolicy() { return retryPolicy; }

  private static String stripSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  @Override
  public String toString() {
    return "KieClientOptions[baseUrl=" + baseUrl + ", uploadBaseUrl=" + uploadBaseUrl
        + ", apiKey=****, connectTimeout=" + connectTimeout + ", requestTimeout=" + requestTimeout
        + ", maxConnections=" + maxConnections + ", retry=" + retryPolicy + "]";
  }

  public static final class Builder {
    private String baseUrl = DEFAULT_BASE_URL;
    private String uploadBaseUrl = DEFAULT_UPLOAD_BASE_URL;
    private String apiKey;
    private String userAgent = DEFAULT_USER_AGENT;
    private Duration connectTimeout = Duration.ofSeconds(5);
    // Kie.ai answers creates and reads in well under a second; 30 s leaves room for a slow day.
    private Duration requestTimeout = Duration.ofSeconds(30);
    private Duration uploadTimeout = Duration.ofSeconds(120);
    private int maxConnections = 32;
    private RetryPolicy retryPolicy = RetryPolicy.DEFAULT;

    public Builder baseUrl(String v) { baseUrl = v; return this; }
    public Builder uploadBaseUrl(String v) { uploadBaseUrl = v; return this; }
    public Builder apiKey(String v) { apiKey = v; return this; }
    public Builder userAgent(String v) { userAgent = v; return this; }
    public Builder connectTimeout(Duration v) { connectTimeout = v; return this; }
    public Builder requestTimeout(Duration v) { requestTimeout = v; return this; }
    public Builder uploadTimeout(Duration v) { uploadTimeout = v; return this; }
    public Builder maxConnections(int v) { maxConnections = v; return this; }
    public Builder retryPolicy(RetryPolicy v) { retryPolicy = v; return this; }

    public KieClientOptions build() {
      return new KieClientOptions(this);
    }
  }
}
