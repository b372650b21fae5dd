package io.kieworker.kie;

import io.kieworker.kie.ErrorClassifier.Call;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.multipart.MultipartForm;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Non-blocking client for every Kie.ai endpoint kie-worker uses. Each call's future succeeds with a
 * {@link KieResult}: a value or a classified error, never a failed future.
 *
 * <p>Paid creates ({@link #createTask}, {@link #legacyGenerate}) are retried only when the request
 * certainly never left this process (no connection could be had); once sent, a lost answer comes
 * back as {@link ErrorClass#AMBIGUOUS}. Reads and uploads are retried on transient errors with
 * {@link RetryPolicy}. JSON calls use the core HttpClient directly because it tells apart "no
 * connection" from "sent, then lost"; multipart uploads use a WebClient over the same pool.
 *
 * <p>Thread-safety: call from a Vert.x context (event loop); futures complete on it.
 */
public final class KieClient implements AutoCloseable {
  private static final long MAX_MESSAGE_CHARS = 300;
  /** Kie.ai advises base64 upload for small files and stream upload above 10 MB. */
  public static final int BASE64_UPLOAD_LIMIT_BYTES = 10 * 1024 * 1024;

  private final Vertx vertx;
  private final KieClientOptions options;
  private final HttpClient http;
  private final WebClient web;
  private final String authorization;

  public KieClient(Vertx vertx, KieClientOptions options) {
    this.vertx = vertx;
    this.options = options;
    this.http = vertx.createHttpClient(
        new HttpClientOptions()
            .setConnectTimeout((int) options.connectTimeout().toMillis())
            .setKeepAlive(true)
            .setTcpNoDelay(true),
        new PoolOptions().setHttp1MaxSize(options.maxConnections()).setMaxWaitQueueSize(10_000));
    this.web = WebClient.wrap(http);
    this.authorization = "Bearer " + options.apiKey();
  }

  public KieClientOptions options() {
    return options;
  }

  // ---- Market API ------------------------------------------------------------------------------

  /** Market createTask; the value is the new task id. Never repeated once the request was sent. */
  public Future<KieResult<String>> createTask(String model, JsonObject input, String callBackUrl) {
    JsonObject body = new JsonObject().put("model", model);
    if (callBackUrl != null) {
      body.put("callBackUrl", callBackUrl);
    }
    body.put("input", input);
    return create("/api/v1/jobs/createTask", body);
  }

  /** Market recordInfo, with {@code param} and {@code resultJson} parsed. */
  public Future<KieResult<TaskRecord>> recordInfo(String taskId) {
    String url = options.baseUrl() + "/api/v1/jobs/recordInfo?taskId=" + encode(taskId);
    return safe(Call.SAFE, HttpMethod.GET, url, null, false)
        .map(r -> r.isOk() ? dataObject(r.value(), TaskRecord::fromMarket) : r.map(x -> null));
  }

  // ---- Legacy flat API -------------------------------------------------------------------------

  /** {@code POST /api/v1/nano-banana/generate} with the flat body; the value is the task id. */
  public Future<KieResult<String>> legacyGenerate(JsonObject body) {
    return create("/api/v1/nano-banana/generate", body);
  }

  /** Legacy record-info: accepts the documented flat answer and the {code,msg,data} wrapping. */
  public Future<KieResult<TaskRecord>> legacyRecordInfo(String taskId) {
    String url = options.baseUrl() + "/api/v1/nano-banana/record-info?taskId=" + encode(taskId);
    return safe(Call.SAFE, HttpMethod.GET, url, null, true).map(r -> {
      if (!r.isOk()) {
        return r.map(x -> null);
      }
      JsonObject json = r.value();
      JsonObject data = json.getValue("data") instanceof JsonObject ? json.getJsonObject("data") : json;
      return KieResult.ok(TaskRecord.fromLegacy(data));
    });
  }

  // ---- Common API ------------------------------------------------------------------------------

  /** Remaining credits ({@code GET /api/v1/chat/credit}). */
  public Future<KieResult<Double>> credits() {
    return safe(Call.SAFE, HttpMethod.GET, options.baseUrl() + "/api/v1/chat/credit", null, false)
        .map(r -> r.isOk() ? dataValue(r.value(), KieClient::asDouble) : r.map(x -> null));
  }

  /** A fresh download link for a generated file, valid about 20 minutes. */
  public Future<KieResult<String>> downloadUrl(String fileUrl) {
    JsonObject body = new JsonObject().put("url", fileUrl);
    return safe(Call.SAFE, HttpMethod.POST, options.baseUrl() + "/api/v1/common/download-url", body, false)
        .map(r -> r.isOk() ? dataValue(r.value(), v -> v instanceof String ? (String) v : null) : r.map(x -> null));
  }

  // ---- File Upload API (own base URL) ----------------------------------------------------------

  /** Base64 upload; {@code base64Data} may be raw base64 or a whole data: URI. */
  public Future<KieResult<UploadedFile>> uploadBase64(String base64Data, String uploadPath, String fileName) {
    JsonObject body = new JsonObject().put("base64Data", base64Data).put("uploadPath", uploadPath);
    if (fileName != null) {
      body.put("fileName", fileName);
    }
    return upload("/api/file-base64-upload", body);
  }

  /** Asks Kie.ai to fetch a file from a public URL and store it. */
  public Future<KieResult<UploadedFile>> uploadFromUrl(String fileUrl, String uploadPath, String fileName) {
    JsonObject body = new JsonObject().put("fileUrl", fileUrl).put("uploadPath", uploadPath);
    if (fileName != null) {
      body.put("fileName", fileName);
    }
    return upload("/api/file-url-upload", body);
  }

  /** Multipart stream upload of bytes already in memory. */
  public Future<KieResult<UploadedFile>> uploadStream(
      Buffer content, String fileName, String mimeType, String uploadPath) {
    String url = options.uploadBaseUrl() + "/api/file-stream-upload";
    long timeout = options.uploadTimeout().toMillis();
    return options.retryPolicy().run(vertx, () -> {
      MultipartForm form = MultipartForm.create()
          .attribute("uploadPath", uploadPath)
          .attribute("fileName", fileName)
          .binaryFileUpload("file", fileName, content, mimeType);
      return web.postAbs(url)
          .putHeader(HttpHeaders.AUTHORIZATION.toString(), authorization)
          .putHeader(HttpHeaders.USER_AGENT.toString(), options.userAgent())
          .timeout(timeout)
          .sendMultipartForm(form)
          .map(resp -> interpret(Call.SAFE, resp.statusCode(), resp.getHeader("Retry-After"), resp.body(), false))
          .otherwise(cause -> KieResult.failed(ErrorClassifier.transportFailure(Call.SAFE, cause, true)));
    }).map(r -> r.isOk() ? dataObject(r.value(), KieClient::uploadedFile) : r.map(x -> null));
  }

  /**
   * Uploads an inline {@code data:image/...;base64,} image, retried with the client's policy.
   * The worker uses {@link #uploadInlineImage} and its own retry rules instead.
   */
  public Future<KieResult<UploadedFile>> uploadDataUri(String dataUri, String uploadPath, String fileName) {
    DataUri parsed;
    try {
      parsed = DataUri.parse(dataUri);
    } catch (IllegalArgumentException e) {
      return Future.succeededFuture(KieResult.failed(
          new KieError(ErrorClass.PERMANENT, "INVALID_DATA_URI", e.getMessage(), 0, null)));
    }
    String name = fileName != null ? fileName : "image." + parsed.extension();
    return options.retryPolicy().run(vertx, () -> uploadInlineImage(parsed, uploadPath, name));
  }

  /**
   * One upload attempt of an inline image, never retried here: base64 upload up to
   * {@link #BASE64_UPLOAD_LIMIT_BYTES}, stream upload above. The body is built off the event loop
   * straight from the URI's text (one copy; decoded chunk by chunk for a stream upload), and is
   * {@link #uploadBodyBytes} long give or take a few hundred bytes.
   */
  public Future<KieResult<UploadedFile>> uploadInlineImage(DataUri image, String uploadPath, String fileName) {
    boolean stream = image.decodedBytes() > BASE64_UPLOAD_LIMIT_BYTES;
    String boundary = "kie-worker-" + java.util.UUID.randomUUID();
    String url = options.uploadBaseUrl() + (stream ? "/api/file-stream-upload" : "/api/file-base64-upload");
    String contentType = stream ? "multipart/form-data; boundary=" + boundary : "application/json";
    return vertx.executeBlocking(() -> stream ? multipartBody(image, uploadPath, fileName, boundary)
            : base64Body(image, uploadPath, fileName), false)
        .compose(body -> send(Call.SAFE, HttpMethod.POST, url, body, contentType, false, options.uploadTimeout()))
        .otherwise(cause -> KieResult.failed(ErrorClassifier.transportFailure(Call.SAFE, cause, false)))
        .map(r -> r.isOk() ? dataObject(r.value(), KieClient::uploadedFile) : r.map(x -> null));
  }

  /** The size of the request body {@link #uploadInlineImage} builds for {@code image}, headers aside. */
  public static long uploadBodyBytes(DataUri image) {
    return image.decodedBytes() > BASE64_UPLOAD_LIMIT_BYTES ? image.decodedBytes() : image.payloadLength();
  }

  static Buffer base64Body(DataUri image, String uploadPath, String fileName) {
    // The mime type is re-written from the parsed, checked value: the URI's own header may carry
    // parameters with characters JSON would need escaped. The payload is base64: nothing to escape.
    String head = "{\"base64Data\":\"data:" + image.mimeType() + ";base64,";
    String tail = "\",\"uploadPath\":" + io.vertx.core.json.Json.encode(uploadPath)
        + ",\"fileName\":" + io.vertx.core.json.Json.encode(fileName) + "}";
    Buffer body = Buffer.buffer(head.length() + image.payloadLength() + tail.length() + 16);
    body.appendString(head);
    image.appendPayload(body);
    return body.appendString(tail);
  }

  private static Buffer multipartBody(DataUri image, String uploadPath, String fileName, String boundary) {
    String quotedName = fileName.replace("\"", "").replace("\r", "").replace("\n", "");
    String head = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"uploadPath\"\r\n\r\n" + uploadPath
        + "\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"fileName\"\r\n\r\n" + fileName
        + "\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + quotedName
        + "\"\r\nContent-Type: " + image.mimeType() + "\r\n\r\n";
    String tail = "\r\n--" + boundary + "--\r\n";
    Buffer body = Buffer.buffer((int) Math.min(Integer.MAX_VALUE - 8,
        head.length() + image.decodedBytes() + tail.length() + 16));
    body.appendString(head, "UTF-8");
    image.appendDecoded(body);
    return body.appendString(tail);
  }

  /**
   * Shutdown began: a create under way whose earlier attempt never reached Kie.ai is not sent again
   * (it ends TRANSIENT with code {@code SHUTDOWN}). Any thread; creates check it right before sending.
   */
  public void stopCreateRetries() {
    createRetriesStopped = true;
  }

  @Override
  public void close() {
    web.close();
    http.close();
  }

  // ---- plumbing --------------------------------------------------------------------------------

  private static final KieError NOT_SENT_AT_SHUTDOWN =
      new KieError(ErrorClass.TRANSIENT, "SHUTDOWN", "create not sent again: shutdown began", 0, null);
  private volatile boolean createRetriesStopped;

  private Future<KieResult<String>> create(String path, JsonObject body) {
    // Only a create that never left this process (no connection) may be repeated.
    Predicate<KieError> neverSent = e -> e.httpStatus() == 0 && e.errorClass() == ErrorClass.TRANSIENT
        && !createRetriesStopped;
    return options.retryPolicy()
        .run(vertx, () -> createRetriesStopped ? Future.succeededFuture(KieResult.failed(NOT_SENT_AT_SHUTDOWN))
            : send(Call.CREATE, HttpMethod.POST, options.baseUrl() + path, body, false, options.requestTimeout()),
            neverSent)
        .map(r -> {
          if (!r.isOk()) {
            return r.map(x -> null);
          }
          JsonObject data = r.value().getJsonObject("data");
          String taskId = data == null ? null : TaskRecord.taskIdOf(data);
          if (taskId == null || taskId.isBlank()) {
            return KieResult.failed(new KieError(ErrorClass.AMBIGUOUS, "MALFORMED_RESPONSE",
                "Kie.ai accepted the create but sent no taskId", 200, null));
          }
          return KieResult.ok(taskId);
        });
  }

  private Future<KieResult<UploadedFile>> upload(String path, JsonObject body) {
    String url = options.uploadBaseUrl() + path;
    return options.retryPolicy()
        .run(vertx, () -> send(Call.SAFE, HttpMethod.POST, url, body, false, options.uploadTimeout()))
        .map(r -> r.isOk() ? dataObject(r.value(), KieClient::uploadedFile) : r.map(x -> null));
  }

  private Future<KieResult<JsonObject>> safe(
      Call call, HttpMethod method, String url, JsonObject body, boolean flatAnswerAllowed) {
    return options.retryPolicy().run(vertx,
        () -> send(call, method, url, body, flatAnswerAllowed, options.requestTimeout()));
  }

  /**
   * One HTTP exchange. Failures before a request object exists (connect, pool wait) happened before
   * anything was sent; failures after {@code send} may have reached Kie.ai.
   */
  private Future<KieResult<JsonObject>> send(
      Call call, HttpMethod method, String url, JsonObject body, boolean flatAnswerAllowed, Duration timeout) {
    return send(call, method, url, body == null ? null : body.toBuffer(), "application/json", flatAnswerAllowed,
        timeout);
  }

  private Future<KieResult<JsonObject>> send(Call call, HttpMethod method, String url, Buffer body,
      String contentType, boolean flatAnswerAllowed, Duration timeout) {
    RequestOptions request = new RequestOptions()
        .setMethod(method)
        .setAbsoluteURI(url)
        .setConnectTimeout(options.connectTimeout().toMillis())
        .putHeader(HttpHeaders.AUTHORIZATION, authorization)
        .putHeader(HttpHeaders.USER_AGENT, options.userAgent())
        .putHeader(HttpHeaders.ACCEPT, "application/json");
    if (body != null) {
      request.putHeader(HttpHeaders.CONTENT_TYPE, contentType);
    }
    Promise<KieResult<JsonObject>> promise = Promise.promise();
    http.request(request).onComplete(opened -> {
      if (opened.failed()) {
        promise.complete(KieResult.failed(ErrorClassifier.transportFailure(call, opened.cause(), false)));
        return;
      }
      HttpClientRequest req = opened.result();
      long timer = vertx.setTimer(timeout.toMillis(), id -> req.reset(0,
          new TimeoutException("no answer within " + timeout.toMillis() + " ms")));
      (body == null ? req.send() : req.send(body))
          .compose(resp -> resp.body().map(buf -> interpret(
              call, resp.statusCode(), resp.getHeader("Retry-After"), buf, flatAnswerAllowed)))
          .onComplete(ar -> {
            vertx.cancelTimer(timer);
            promise.complete(ar.succeeded() ? ar.result()
                : KieResult.failed(ErrorClassifier.transportFailure(call, ar.cause(), true)));
          });
    });
    return promise.future();
  }

  /** Reads Kie.ai's answer: the whole JSON body on success, else the classified error. */
  static KieResult<JsonObject> interpret(
      Call call, int status, String retryAfterHeader, Buffer body, boolean flatAnswerAllowed) {
    JsonObject json = parseObject(body);
    Integer bodyCode = json == null ? null : asInteger(json.getValue("code"));
    if (json != null && bodyCode == null && flatAnswerAllowed && status >= 200 && status < 300) {
      return KieResult.ok(json);
    }
    String msg = json == null ? null : json.getString("msg");
    if (msg != null && msg.length() > MAX_MESSAGE_CHARS) {
      msg = msg.substring(0, (int) MAX_MESSAGE_CHARS) + "…";
    }
    KieError error = ErrorClassifier.classify(call, status, bodyCode, msg, parseRetryAfter(retryAfterHeader));
    return error == null ? KieResult.ok(json) : KieResult.failed(error);
  }

  private static <T> KieResult<T> dataObject(JsonObject answer, Function<JsonObject, T> parser) {
    Object data = answer.getValue("data");
    if (!(data instanceof JsonObject)) {
      return KieResult.failed(new KieError(ErrorClass.TRANSIENT, "MALFORMED_RESPONSE",
          "Kie.ai answered code 200 without a data object", 200, null));
    }
    return KieResult.ok(parser.apply((JsonObject) data));
  }

  private static <T> KieResult<T> dataValue(JsonObject answer, Function<Object, T> reader) {
    T value = reader.apply(answer.getValue("data"));
    if (value == null) {
      return KieResult.failed(new KieError(ErrorClass.TRANSIENT, "MALFORMED_RESPONSE",
          "Kie.ai answered code 200 without the expected data", 200, null));
    }
    return KieResult.ok(value);
  }

  private static UploadedFile uploadedFile(JsonObject data) {
    Object size = data.getValue("fileSize");
    return new UploadedFile(
        data.getString("downloadUrl"),
        data.getString("fileName"),
        data.getString("filePath"),
        size instanceof Number ? ((Number) size).longValue() : null,
        data.getString("mimeType"),
        data.getValue("uploadedAt") == null ? null : data.getValue("uploadedAt").toString());
  }

  private static JsonObject parseObject(Buffer body) {
    if (body == null || body.length() == 0) {
      return null;
    }
    try {
      Object value = io.vertx.core.json.Json.decodeValue(body);
      return value instanceof JsonObject ? (JsonObject) value : null;
    } catch (DecodeException e) {
      return null;
    }
  }

  private static Integer asInteger(Object value) {
    if (value instanceof Number) {
      return ((Number) value).intValue();
    }
    if (value instanceof String) {
      try {
        return Integer.valueOf(((String) value).trim());
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  private static Double asDouble(Object value) {
    if (value instanceof Number) {
      return ((Number) value).doubleValue();
    }
    try {
      return value instanceof String ? Double.valueOf((String) value) : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** Retry-After is seconds or an HTTP date, capped (see {@link RetryAfter}); anything else is ignored. */
  static Duration parseRetryAfter(String header) {
    return RetryAfter.parse(header, System.currentTimeMillis());
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
