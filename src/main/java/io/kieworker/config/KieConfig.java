package io.kieworker.config;

import java.time.Duration;

/**
 * Kie.ai access. URLs carry no trailing slash.
 *
 * @param callbackBaseUrl public base URL of the callback route, or null to poll only
 * @param webhookHmacKey verifies Kie.ai's callback signature, or null to skip that check
 */
public record KieConfig(String apiKey, String baseUrl, String uploadBaseUrl, String callbackBaseUrl,
    String webhookHmacKey, String userAgent, Duration connectTimeout, Duration requestTimeout) {

  public boolean callbacksEnabled() {
    return callbackBaseUrl != null;
  }

  @Override
  public String toString() {
    return "KieConfig[apiKey=" + Secrets.mask(apiKey) + ", baseUrl=" + baseUrl + ", uploadBaseUrl=" + uploadBaseUrl
        + ", callbackBaseUrl=" + callbackBaseUrl + ", webhookHmacKey=" + Secrets.mask(webhookHmacKey)
        + ", userAgent=" + userAgent + ", connectTimeout=" + connectTimeout + ", requestTimeout=" + requestTimeout + "]";
  }
}
