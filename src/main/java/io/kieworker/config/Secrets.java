package io.kieworker.config;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** How secrets look in toString: set ones as "****", unset ones as null, so both facts stay visible. */
final class Secrets {
  static final String MASK = "****";

  private Secrets() {}

  static String mask(String secret) {
    return secret == null ? null : MASK;
  }

  /** Kafka client properties with credentials masked (sasl.jaas.config, ssl.key.password, …). */
  static Map<String, String> maskProperties(Map<String, String> properties) {
    Map<String, String> masked = new TreeMap<>();
    properties.forEach((k, v) -> masked.put(k, sensitive(k) ? mask(v) : v));
    return masked;
  }

  static boolean sensitive(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    return k.contains("password") || k.contains("secret") || k.contains("jaas") || k.contains("token")
        || k.contains("credential") || k.contains("user.info") || k.endsWith(".key") || k.endsWith("apikey");
  }
}
