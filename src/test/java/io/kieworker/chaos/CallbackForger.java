package io.kieworker.chaos;

import io.kieworker.callback.CallbackToken;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Someone who knows the callback URL shape but not the group's secret (or has one request's token
 * and no webhook key): POSTs well-formed "success" callbacks for real request ids straight to a
 * worker. Every one of them must be refused; a 200 counts as a forged callback accepted.
 */
final class CallbackForger {
  final AtomicInteger sent = new AtomicInteger();
  final AtomicInteger accepted = new AtomicInteger();
  final AtomicInteger unreachable = new AtomicInteger();
  private final CallbackBalancer http;
  private final CallbackToken realTokens;
  private final int partitions;

  /** @param realTokens the group's real token maker: used only for the "token of another request" case */
  CallbackForger(CallbackBalancer http, CallbackToken realTokens, int partitions) {
    this.http = http;
    this.realTokens = realTokens;
    this.partitions = partitions;
  }

  /** Five kinds of forgery per request id, each sent to {@code port}. */
  void forge(int port, List<String> requestIds) {
    for (int i = 0; i < requestIds.size(); i++) {
      String id = requestIds.get(i);
      String other = requestIds.get((i + 1) % requestIds.size());
      int partition = ThreadLocalRandom.current().nextInt(partitions);
      post(port, partition, id, randomToken(), Map.of());                     // guessed token
      post(port, partition, id, null, Map.of());                              // no token
      post(port, partition, id, realTokens.unboundToken(other), Map.of());   // another request's token
      post(port, partition, id, realTokens.unboundToken(id), Map.of(          // leaked token, forged signature
          "X-Webhook-Timestamp", Long.toString(System.currentTimeMillis() / 1000),
          "X-Webhook-Signature", randomToken()));
      post(port, partitions + 7, id, realTokens.unboundToken(id), Map.of());  // no such partition
    }
  }

  private void post(int port, int partition, String requestId, String token, Map<String, String> signature) {
    String path = "/callbacks/kie/" + partition + "/" + URLEncoder.encode(requestId, StandardCharsets.UTF_8)
        + (token == null ? "" : "?token=" + token);
    String taskId = "forged" + Long.toHexString(ThreadLocalRandom.current().nextLong());
    JsonObject body = new JsonObject().put("code", 200).put("msg", "success").put("data", new JsonObject()
        .put("taskId", taskId).put("state", "success")
        .put("resultJson", "{\"resultUrls\":[\"https://evil.invalid/x.png\"]}"));
    Map<String, String> headers = new java.util.HashMap<>(signature);
    headers.put("Content-Type", "application/json");
    sent.incrementAndGet();
    HttpResponse<byte[]> response = http.post(port, path, body.toBuffer().getBytes(), headers);
    if (response == null) {
      unreachable.incrementAndGet();
    } else if (response.statusCode() == 200) {
      accepted.incrementAndGet();
    }
  }

  private static String randomToken() {
    byte[] bytes = new byte[32];
    ThreadLocalRandom.current().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
