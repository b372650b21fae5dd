package io.kieworker.sim;

import io.kieworker.sim.SimDurations.LatencyRange;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Start options of the simulator, with the defaults of {@code kie-worker sim}. Mutable and fluent;
 * {@link KieSimulator#start} copies what it needs. API keys and the HMAC key are never printed.
 */
public final class SimOptions {
  public static final String ANY_MODEL = "*";

  private String host = "127.0.0.1";
  private int port = 0;
  private final List<String> apiKeys = new ArrayList<>();
  private boolean httpStatusErrors;
  private boolean legacyWrapped;
  private int rateLimitCount = 20;
  private Duration rateLimitWindow = Duration.ofSeconds(10);
  private final Map<String, LatencyRange> latencies = new LinkedHashMap<>();
  private Long seed;
  private double credits = 100_000;
  private String fileBaseUrl = "https://tempfile.kie-sim.invalid";
  /** Null: result URLs point at the simulator's own server ({@code <baseUrl>/results/...}), which serves the images. */
  private String resultBaseUrl;
  private int resultImagePixels = 64;
  private String webhookHmacKey;
  private int callbackAttempts = 3;
  private Duration callbackRetryDelay = Duration.ofSeconds(1);
  private Duration callbackTimeout = Duration.ofSeconds(15);
  private long bodyLimitBytes = 50L * 1024 * 1024;
  private final SimFaults faults = new SimFaults();

  public SimOptions() {
    latencies.put(ANY_MODEL, new LatencyRange(Duration.ofSeconds(2), Duration.ofSeconds(5)));
  }

  public SimOptions host(String h) { host = h; return this; }
  /** 0 picks a free port. */
  public SimOptions port(int p) { port = p; return this; }
  public SimOptions apiKey(String key) { apiKeys.add(key); return this; }
  /** Mirror the body code into the HTTP status (default: HTTP 200 with the code in the body, like Kie.ai). */
  public SimOptions httpStatusErrors(boolean b) { httpStatusErrors = b; return this; }
  /** Legacy record-info answers {@code {code,msg,data:{...}}} instead of the flat record. */
  public SimOptions legacyWrapped(boolean b) { legacyWrapped = b; return this; }
  /** At most {@code count} creates per key within a sliding {@code window}; count 0 = no limit. */
  public SimOptions rateLimit(int count, Duration window) {
    rateLimitCount = count;
    rateLimitWindow = window;
    return this;
  }
  /** {@code model} may be {@link #ANY_MODEL}; a model's own range wins over {@code *}. */
  public SimOptions latency(String model, Duration min, Duration max) {
    latencies.put(model, new LatencyRange(min, max));
    return this;
  }
  public SimOptions latency(String model, Duration fixed) { return latency(model, fixed, fixed); }
  /** Parses {@code model=min..max}, e.g. {@code nano-banana-pro=3s..6s} or {@code *=0ms..0ms}. */
  public SimOptions latency(String spec) {
    int eq = spec.indexOf('=');
    if (eq <= 0) {
      throw new IllegalArgumentException("latency must look like model=2s..5s: " + spec);
    }
    latencies.put(spec.substring(0, eq).trim(), SimDurations.parseRange(spec.substring(eq + 1)));
    return this;
  }
  public SimOptions seed(Long s) { seed = s; return this; }
  public SimOptions credits(double c) { credits = c; return this; }
  public SimOptions fileBaseUrl(String u) { fileBaseUrl = stripSlash(u); return this; }
  /** A base for result image URLs other than the simulator's own; null or empty = its own (which serves them). */
  public SimOptions resultBaseUrl(String u) { resultBaseUrl = u == null || u.isBlank() ? null : stripSlash(u); return this; }
  /** Width and height of the served PNG/JPEG result images (noise: a PNG is about 3 bytes a pixel). */
  public SimOptions resultImagePixels(int px) { resultImagePixels = Math.max(1, Math.min(4096, px)); return this; }
  public SimOptions webhookHmacKey(String k) { webhookHmacKey = k == null || k.isEmpty() ? null : k; return this; }
  public SimOptions callbackAttempts(int n) { callbackAttempts = Math.max(1, n); return this; }
  public SimOptions callbackRetryDelay(Duration d) { callbackRetryDelay = d; return this; }
  public SimOptions callbackTimeout(Duration d) { callbackTimeout = d; return this; }
  public SimOptions bodyLimitBytes(long b) { bodyLimitBytes = b; return this; }
  /** The fault settings the simulator starts with (and returns to on reset). */
  public SimFaults faults() { return faults; }

  public String host() { return host; }
  public int port() { return port; }
  public List<String> apiKeys() { return List.copyOf(apiKeys); }
  public boolean httpStatusErrors() { return httpStatusErrors; }
  public boolean legacyWrapped() { return legacyWrapped; }
  public int rateLimitCount() { return rateLimitCount; }
  public Duration rateLimitWindow() { return rateLimitWindow; }
  public Map<String, LatencyRange> latencies() { return Map.copyOf(latencies); }
  public Long seed() { return seed; }
  public double credits() { return credits; }
  public String fileBaseUrl() { return fileBaseUrl; }
  public String resultBaseUrl() { return resultBaseUrl; }
  public int resultImagePixels() { return resultImagePixels; }
  String webhookHmacKey() { return webhookHmacKey; }
  public boolean signsCallbacks() { return webhookHmacKey != null; }
  public int callbackAttempts() { return callbackAttempts; }
  public Duration callbackRetryDelay() { return callbackRetryDelay; }
  public Duration callbackTimeout() { return callbackTimeout; }
  public long bodyLimitBytes() { return bodyLimitBytes; }

  LatencyRange latencyOf(String model) {
    LatencyRange own = latencies.get(model);
    return own != null ? own : latencies.get(ANY_MODEL);
  }

  private static String stripSlash(String u) {
    return u.endsWith("/") ? u.substring(0, u.length() - 1) : u;
  }

  @Override
  public String toString() {
    return "SimOptions[host=" + host + ", port=" + port + ", apiKeys=" + apiKeys.size() + " (masked)"
        + ", httpStatusErrors=" + httpStatusErrors + ", legacyWrapped=" + legacyWrapped
        + ", rateLimit=" + rateLimitCount + "/" + SimDurations.format(rateLimitWindow)
        + ", latencies=" + latencies + ", seed=" + seed + ", credits=" + credits
        + ", webhookHmacKey=" + (webhookHmacKey == null ? "none" : "****")
        + ", callbackAttempts=" + callbackAttempts + ", faults=" + faults + "]";
  }
}
