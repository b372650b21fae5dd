package io.kieworker.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The result store (issue 13): where result images are copied before the result is published.
 * Credentials and region come from the AWS SDK's default chain, never from here.
 *
 * @param bucket null = the store is off (results keep Kie.ai's URLs only)
 * @param prefix key prefix inside the bucket, without leading or trailing '/' (may be empty)
 * @param endpoint an S3-compatible endpoint (MinIO, Ceph, R2, a test server), or null for AWS
 * @param publicBase when set, storedUrls are {@code <publicBase>/<key>} instead of {@code s3://bucket/key}
 * @param presign when set (and publicBase is not), storedUrls are presigned GET URLs of that lifetime
 * @param maxWait how long a copy is retried before the result is published without it
 * @param fetchAllowHttp hosts that may be fetched over plain http and may be private (local simulators)
 * @param fetchMaxBytes the largest result image that is copied
 */
public record StoreConfig(String bucket, String prefix, URI endpoint, String publicBase, Duration presign,
    Duration maxWait, Set<String> fetchAllowHttp, long fetchMaxBytes) {
  public static final StoreConfig OFF =
      new StoreConfig(null, "", null, null, null, Duration.ofMinutes(10), Set.of(), 50L * 1024 * 1024);

  public StoreConfig {
    prefix = prefix == null ? "" : prefix;
    fetchAllowHttp = fetchAllowHttp == null ? Set.of() : Set.copyOf(fetchAllowHttp);
  }

  /** {@code WORKER_RESULT_STORE}: {@code s3://bucket[/prefix]}. */
  public record Location(String bucket, String prefix) {
    /** S3 bucket naming rules (lower case, digits, '.', '-'; 3-63 characters). */
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9!_.*'()/-]{0,512}");

    static Setting.Parser<Location> parser() {
      return (text, label, problems) -> {
        if (text == null) {
          return null;
        }
        try {
          URI uri = new URI(text);
          String bucket = uri.getHost() == null ? uri.getAuthority() : uri.getHost();
          String prefix = uri.getPath() == null ? "" : uri.getPath().replaceAll("^/+|/+$", "");
          if ("s3".equalsIgnoreCase(uri.getScheme()) && bucket != null && BUCKET.matcher(bucket).matches()
              && uri.getRawQuery() == null && uri.getRawFragment() == null && PREFIX.matcher(prefix).matches()) {
            return new Location(bucket, prefix);
          }
        } catch (URISyntaxException e) {
          // reported below
        }
        problems.add(label + " must look like s3://bucket/prefix (a valid bucket name, a prefix of letters, digits"
            + " and !_.*'()/-), got " + Parsers.quoted(text));
        return null;
      };
    }
  }

  /** Presigned URLs live at most 7 days (S3's limit for SigV4). */
  static Setting.Parser<Duration> presignParser() {
    Setting.Parser<Duration> duration = Parsers.duration(false);
    return (text, label, problems) -> {
      Duration d = duration.parse(text, label, problems);
      if (d != null && d.compareTo(Duration.ofDays(7)) > 0) {
        problems.add(label + " must be at most 7d (the S3 limit for presigned URLs), got " + Parsers.quoted(text));
        return null;
      }
      return d;
    };
  }

  /** A comma-separated host list (host or host:port), lower-cased. */
  static Setting.Parser<Set<String>> hostsParser() {
    return (text, label, problems) -> text == null ? Set.of()
        : Arrays.stream(text.split(",")).map(h -> h.trim().toLowerCase(Locale.ROOT)).filter(h -> !h.isEmpty())
            .collect(Collectors.toUnmodifiableSet());
  }

  public boolean enabled() {
    return bucket != null;
  }

  /** {@code s3://bucket/prefix}, as configured. */
  public String location() {
    return enabled() ? "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix) : "off";
  }
}
