package io.kieworker.testing;

import io.kieworker.net.FreePorts;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A real S3-API server for the test JVM: the npm package {@code s3rver} (filesystem-backed),
 * started as a child process on a free port in a temporary directory. {@code @ExtendWith(S3Server.class)}
 * on a test class, then the static accessors. Installed with npm on first use into
 * {@code ~/.cache/kie-worker/s3rver-<version>} (or {@code KIE_TEST_S3RVER_HOME}) with a bounded
 * wait; {@code .ci/run} installs it up front. Without node/npm the tests fail with a clear
 * message: they are not skipped.
 *
 * <p>s3rver checks SigV4 signatures against the key pair S3RVER/S3RVER; the extension puts it into
 * the {@code aws.*} system properties, which the SDK's default chain reads, so an in-process
 * worker finds it like production finds AWS_ACCESS_KEY_ID. Child JVMs get {@link #awsEnv()}.
 */
public final class S3Server implements BeforeAllCallback {
  public static final String VERSION = "3.7.1";
  public static final String ACCESS_KEY = "S3RVER";
  private static final Logger LOG = LoggerFactory.getLogger(S3Server.class);
  private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(5);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
  private static volatile Server server;

  @Override
  public void beforeAll(ExtensionContext context) {
    ExtensionContext.Store store = context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL);
    server = store.getOrComputeIfAbsent(S3Server.class.getName(), key -> Server.start(), Server.class);
    System.setProperty("aws.accessKeyId", ACCESS_KEY);
    System.setProperty("aws.secretAccessKey", ACCESS_KEY);
    System.setProperty("aws.region", "us-east-1");
  }

  /** {@code http://127.0.0.1:<port>}: WORKER_RESULT_STORE_ENDPOINT. */
  public static String endpoint() {
    return "http://127.0.0.1:" + server().port;
  }

  /** The credentials and region for a child JVM's environment. */
  public static java.util.Map<String, String> awsEnv() {
    return java.util.Map.of("AWS_ACCESS_KEY_ID", ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", ACCESS_KEY,
        "AWS_REGION", "us-east-1");
  }

  /** A new bucket named {@code <prefix>-<n>-<run>} (lower case). */
  public static String createBucket(String prefix) {
    String name = KafkaBroker.uniqueName(prefix).toLowerCase(java.util.Locale.ROOT);
    client().createBucket(b -> b.bucket(name)).orTimeout(30, TimeUnit.SECONDS).join();
    return name;
  }

  public static List<S3Object> list(String bucket) {
    return client().listObjectsV2(b -> b.bucket(bucket)).orTimeout(30, TimeUnit.SECONDS).join().contents();
  }

  public static HeadObjectResponse head(String bucket, String key) {
    return client().headObject(b -> b.bucket(bucket).key(key)).orTimeout(30, TimeUnit.SECONDS).join();
  }

  public static byte[] get(String bucket, String key) {
    ResponseBytes<GetObjectResponse> bytes = client().getObject(b -> b.bucket(bucket).key(key),
        AsyncResponseTransformer.toBytes()).orTimeout(30, TimeUnit.SECONDS).join();
    return bytes.asByteArray();
  }

  /** A client for the test's own checks (never the worker's). */
  public static S3AsyncClient client() {
    return server().client;
  }

  private static Server server() {
    if (server == null) {
      throw new IllegalStateException("add @ExtendWith(S3Server.class) to the test class");
    }
    return server;
  }

  /** The running s3rver; closed by JUnit after the last test class. */
  static final class Server implements ExtensionContext.Store.CloseableResource {
    final int port;
    final Process process;
    final Path dir;
    final S3AsyncClient client;

    private Server(int port, Process process, Path dir) {
      this.port = port;
      this.process = process;
      this.dir = dir;
      this.client = S3AsyncClient.builder()
          .endpointOverride(URI.create("http://127.0.0.1:" + port))
          .region(Region.US_EAST_1)
          .forcePathStyle(true)
          .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
          .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
          .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, ACCESS_KEY)))
          .build();
    }

    static Server start() {
      Path script = installed();
      try {
        Path dir = Files.createTempDirectory("s3rver-");
        int port = FreePorts.pick();
        Path log = dir.resolve("s3rver.log");
        Process process = new ProcessBuilder("node", script.toString(), "-d", dir.resolve("data").toString(),
            "-a", "127.0.0.1", "-p", Integer.toString(port), "--no-vhost-buckets")
            .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        awaitListening(port, process, log);
        LOG.info("s3rver {} listening on 127.0.0.1:{} (data in {})", VERSION, port, dir);
        return new Server(port, process, dir);
      } catch (IOException e) {
        throw new IllegalStateException("cannot start s3rver: " + e.getMessage(), e);
      }
    }

    private static void awaitListening(int port, Process process, Path log) throws IOException {
      long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          throw new IllegalStateException("s3rver exited with " + process.exitValue() + ": " + Files.readString(log));
        }
        try (Socket socket = new Socket()) {
          socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
          return;
        } catch (IOException notYet) {
          pause(100);
        }
      }
      process.destroyForcibly();
      throw new IllegalStateException("s3rver did not listen on " + port + " within " + START_TIMEOUT.toSeconds()
          + " s: " + Files.readString(log));
    }

    /** The s3rver CLI script, installed with npm (bounded) when missing. */
    static Path installed() {
      Path home = home();
      Path script = home.resolve("node_modules/s3rver/bin/s3rver.js");
      if (Files.isRegularFile(script)) {
        return script;
      }
      LOG.info("Installing s3rver {} into {} (npm, at most {} s)", VERSION, home, INSTALL_TIMEOUT.toSeconds());
      try {
        Files.createDirectories(home);
        Path log = home.resolve("npm-install.log");
        Process npm = new ProcessBuilder("npm", "install", "--no-audit", "--no-fund", "--prefix", home.toString(),
            "s3rver@" + VERSION).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!npm.waitFor(INSTALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
          npm.destroyForcibly();
          throw new IllegalStateException("npm install s3rver@" + VERSION + " took over " + INSTALL_TIMEOUT.toSeconds() + " s");
        }
        if (npm.exitValue() != 0 || !Files.isRegularFile(script)) {
          throw new IllegalStateException("npm install s3rver@" + VERSION + " failed: " + Files.readString(log));
        }
        return script;
      } catch (IOException e) {
        throw new IllegalStateException("the S3 tests need node and npm on the PATH (apt-get install nodejs npm)"
            + " to install s3rver@" + VERSION + ": " + e.getMessage(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted installing s3rver", e);
      }
    }

    static Path home() {
      String configured = System.getenv("KIE_TEST_S3RVER_HOME");
      return configured != null && !configured.isBlank() ? Path.of(configured)
          : Path.of(System.getProperty("user.home"), ".cache", "kie-worker", "s3rver-" + VERSION);
    }

    private static void pause(long millis) {
      try {
        Thread.sleep(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void close() {
      client.close();
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
  }
}
