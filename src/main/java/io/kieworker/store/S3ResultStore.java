package io.kieworker.store;

import io.kieworker.config.StoreConfig;
import io.kieworker.result.StoredCopy;
import io.kieworker.result.StoredCopy.StoredObject;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.GetObjectPresignRequest;

/**
 * The S3 result store: each image is downloaded by {@link ResultFetcher} into a temporary file,
 * then put with the AWS SDK v2 async client (Netty NIO, its own I/O threads) under its
 * {@link StoreKey}, with content type, length, SHA-256 and the request's id/task/tenant as object
 * metadata. Failures worth retrying are retried with exponential backoff and jitter until
 * {@code WORKER_RESULT_STORE_MAX_WAIT}; a fetched image is kept for the retries of its upload, so
 * Kie.ai is asked once per image.
 *
 * <p>Threading: {@link #copy} is called on the worker's event loop; SDK futures complete on SDK
 * threads and are brought back to the caller's context before anything else runs. Credential and
 * presign work (which may block on a metadata service) runs on worker threads.
 */
public final class S3ResultStore implements ResultStore {
  private static final Logger LOG = LoggerFactory.getLogger(S3ResultStore.class);
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
  /** One put, all SDK attempts included; one attempt. A 50 MB upload at ~1 MB/s still fits. */
  private static final Duration PUT_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration PUT_ATTEMPT_TIMEOUT = Duration.ofSeconds(60);
  private static final int MAX_METADATA_VALUE = 256;
  private static final int MAX_MESSAGE = 300;
  /**
   * Copies under way at once; the rest wait in order (their max wait runs meanwhile). Bounds the
   * temporary files (one image each) and the store connections (the SDK pool holds 32).
   */
  static final int MAX_CONCURRENT_COPIES = 32;

  private final Vertx vertx;
  private final StoreConfig config;
  private final S3AsyncClient s3;
  private final S3Presigner presigner;
  private final ResultFetcher fetcher;
  /** Event-loop confined, like {@link #copy}. */
  private final java.util.ArrayDeque<Runnable> waiting = new java.util.ArrayDeque<>();
  private int running;

  private S3ResultStore(Vertx vertx, StoreConfig config, S3AsyncClient s3, S3Presigner presigner) {
    this.vertx = vertx;
    this.config = config;
    this.s3 = s3;
    this.presigner = presigner;
    this.fetcher = new ResultFetcher(vertx, config.fetchAllowHttp(), config.fetchMaxBytes());
  }

  /**
   * Builds the SDK clients. Blocking (region chain, profile files): call on a worker thread, e.g.
   * through {@code executeBlocking}. The region comes from the SDK's chain, us-east-1 when it finds
   * none (what most S3-compatible servers expect).
   */
  public static S3ResultStore create(Vertx vertx, StoreConfig config) {
    Region region = region();
    S3Configuration service = S3Configuration.builder().pathStyleAccessEnabled(config.endpoint() != null).build();
    S3AsyncClientBuilder builder = S3AsyncClient.builder()
        .region(region)
        .serviceConfiguration(service)
        .httpClientBuilder(NettyNioAsyncHttpClient.builder()
            .maxConcurrency(32)
            .connectionTimeout(Duration.ofSeconds(10))
            .connectionAcquisitionTimeout(Duration.ofSeconds(30))
            .readTimeout(Duration.ofSeconds(30))
            .writeTimeout(Duration.ofSeconds(30)))
        .overrideConfiguration(ClientOverrideConfiguration.builder()
            .apiCallTimeout(PUT_TIMEOUT)
            .apiCallAttemptTimeout(PUT_ATTEMPT_TIMEOUT)
            .build());
    if (config.endpoint() != null) {
      // S3-compatible stores often reject the SDK's default CRC trailers (aws-chunked): send only
      // what the operation requires.
      builder.endpointOverride(config.endpoint())
          .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
          .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
    }
    S3Presigner presigner = null;
    if (config.presign() != null && config.publicBase() == null) {
      S3Presigner.Builder p = S3Presigner.builder().region(region).serviceConfiguration(service);
      if (config.endpoint() != null) {
        p.endpointOverride(config.endpoint());
      }
      presigner = p.build();
    }
    LOG.info("Result store {} (endpoint {}, region {}, stored URLs: {})", config.location(),
        config.endpoint() == null ? "AWS" : config.endpoint(), region,
        config.publicBase() != null ? "public base" : presigner != null ? "presigned " + config.presign() : "s3://");
    return new S3ResultStore(vertx, config, builder.build(), presigner);
  }

  private static Region region() {
    try {
      return new DefaultAwsRegionProviderChain().getRegion();
    } catch (SdkClientException e) {
      LOG.info("No AWS region configured (AWS_REGION, profile); the result store uses us-east-1");
      return Region.US_EAST_1;
    }
  }

  @Override
  public Future<StoredCopy> copy(Job job) {
    long deadline = System.currentTimeMillis() + config.maxWait().toMillis();
    Promise<StoredCopy> done = Promise.promise();
    waiting.add(() -> copyAll(job, deadline).onComplete(ar -> {
      running--;
      startWaiting();
      done.handle(ar);
    }));
    startWaiting();
    return done.future();
  }

  private void startWaiting() {
    while (running < MAX_CONCURRENT_COPIES && !waiting.isEmpty()) {
      running++;
      waiting.poll().run();
    }
  }

  private Future<StoredCopy> copyAll(Job job, long deadline) {
    List<StoredObject> objects = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < job.urls().size(); i++) {
      int n = i;
      chain = chain.compose(v -> copyOne(job, n, deadline)).map(o -> {
        objects.add(o);
        return null;
      });
    }
    return chain
        .compose(v -> storedUrls(objects))
        .map(urls -> new StoredCopy(urls, objects, null))
        .recover(e -> Future.succeededFuture(failure(job, e)));
  }

  private Future<StoredObject> copyOne(Job job, int n, long deadline) {
    String url = job.urls().get(n);
    return retrying(() -> fetcher.fetch(url), deadline, 0)
        .compose(image -> {
          String key = StoreKey.of(config.prefix(), job.model(), job.receivedAt(), job.requestId(), n, image.extension());
          return retrying(() -> put(job, key, image), deadline, 0)
              .map(v -> new StoredObject(key, image.bytes(), image.sha256(), image.contentType()))
              .eventually(() -> vertx.fileSystem().delete(image.file().toString()).otherwiseEmpty());
        });
  }

  private Future<Void> put(Job job, String key, ResultFetcher.Fetched image) {
    PutObjectRequest request = PutObjectRequest.builder()
        .bucket(config.bucket())
        .key(key)
        .contentType(image.contentType())
        .contentLength(image.bytes())
        .metadata(metadata(job, image))
        .build();
    Context context = vertx.getOrCreateContext();
    return Future.fromCompletionStage(s3.putObject(request, AsyncRequestBody.fromFile(image.file())), context)
        .<Void>mapEmpty()
        .recover(e -> Future.failedFuture(classify(e)));
  }

  /** Object metadata (x-amz-meta-*): ASCII header values, non-ASCII percent-encoded, each bounded. */
  private static Map<String, String> metadata(Job job, ResultFetcher.Fetched image) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("sha256", image.sha256());
    m.put("request-id", headerSafe(job.requestId()));
    if (job.taskId() != null) {
      m.put("task-id", headerSafe(job.taskId()));
    }
    String tenant = job.metadata() == null ? null : job.metadata().get("tenant");
    if (tenant != null) {
      m.put("tenant", headerSafe(tenant));
    }
    return m;
  }

  static String headerSafe(String value) {
    boolean plain = value.chars().allMatch(c -> c >= 0x20 && c < 0x7f && c != '%');
    String text = plain ? value : URLEncoder.encode(value, StandardCharsets.UTF_8);
    return text.length() > MAX_METADATA_VALUE ? text.substring(0, MAX_METADATA_VALUE) : text;
  }

  /** Runs {@code step} until it succeeds, fails permanently, or the next try would pass the deadline. */
  private <T> Future<T> retrying(Supplier<Future<T>> step, long deadline, int attempt) {
    return step.get().recover(e -> {
      StoreFailure failure = e instanceof StoreFailure f ? f : classify(e);
      long delay = backoff(attempt);
      if (!failure.isTransient() || System.currentTimeMillis() + delay >= deadline) {
        return Future.failedFuture(failure);
      }
      LOG.debug("Result store: {} ({}); retrying in {} ms", failure.getMessage(), failure.code(), delay);
      Promise<T> later = Promise.promise();
      vertx.setTimer(delay, id -> retrying(step, deadline, attempt + 1).onComplete(later));
      return later.future();
    });
  }

  private static long backoff(int attempt) {
    long base = Math.min(MAX_BACKOFF.toMillis(), FIRST_BACKOFF.toMillis() << Math.min(attempt, 10));
    return base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
  }

  /** An SDK failure as a {@link StoreFailure}: 4xx other than 408/429 will not pass by waiting. */
  static StoreFailure classify(Throwable e) {
    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    if (cause instanceof StoreFailure f) {
      return f;
    }
    if (cause instanceof AwsServiceException aws) {
      int status = aws.statusCode();
      String code = aws.awsErrorDetails() == null ? null : aws.awsErrorDetails().errorCode();
      boolean retry = status >= 500 || status == 408 || status == 429 || status == 0;
      return new StoreFailure(retry ? StoreFailure.UNAVAILABLE : StoreFailure.REJECTED,
          "the store answered HTTP " + status + (code == null ? "" : " " + code), retry);
    }
    LOG.debug("Result store failure", cause);
    return new StoreFailure(StoreFailure.UNAVAILABLE, "the store cannot be reached: " + shortMessage(cause), true);
  }

  private StoredCopy failure(Job job, Throwable e) {
    StoreFailure f = e instanceof StoreFailure sf ? sf : classify(e);
    String message = f.isTransient()
        ? "gave up after " + config.maxWait().toSeconds() + " s (WORKER_RESULT_STORE_MAX_WAIT): " + f.getMessage()
        : f.getMessage();
    LOG.warn("Result store: request {} published without stored copies: {} ({})", job.requestId(), message, f.code());
    return StoredCopy.failed(f.code(), bounded(message));
  }

  private Future<List<String>> storedUrls(List<StoredObject> objects) {
    if (config.publicBase() != null) {
      return Future.succeededFuture(objects.stream().map(o -> config.publicBase() + "/" + encodePath(o.key())).toList());
    }
    if (presigner != null) {
      return vertx.executeBlocking(() -> objects.stream().map(o -> presign(o.key())).toList(), false);
    }
    return Future.succeededFuture(objects.stream().map(o -> "s3://" + config.bucket() + "/" + o.key()).toList());
  }

  private String presign(String key) {
    return presigner.presignGetObject(GetObjectPresignRequest.builder()
            .signatureDuration(config.presign())
            .getObjectRequest(g -> g.bucket(config.bucket()).key(key))
            .build())
        .url().toString();
  }

  static String encodePath(String key) {
    return URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20").replace("%2F", "/");
  }

  private static String shortMessage(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return bounded(m);
  }

  private static String bounded(String m) {
    return m.length() > MAX_MESSAGE ? m.substring(0, MAX_MESSAGE - 1) + "…" : m;
  }

  @Override
  public Future<Void> close() {
    // Closing the SDK client waits for its Netty threads: not on an event loop.
    return vertx.executeBlocking(() -> {
      s3.close();
      if (presigner != null) {
        presigner.close();
      }
      return null;
    }, false).transform(ar -> fetcher.close());
  }
}
