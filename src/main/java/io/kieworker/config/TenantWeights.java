package io.kieworker.config;

import static io.kieworker.config.Parsers.quoted;

import io.kieworker.queue.Tenants;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code WORKER_TENANT_WEIGHTS}: {@code tenant=weight,…}, e.g. {@code acme=3,beta=1}; unset = every tenant 1. */
final class TenantWeights {
  static final int MAX_WEIGHT = 100;
  static final String FORMAT = "tenant=weight pairs separated by commas, like acme=3,beta=1";

  private TenantWeights() {}

  static Setting.Parser<Map<String, Integer>> parser() {
    return (text, label, problems) -> {
      if (text == null) {
        return Map.of();
      }
      Map<String, Integer> weights = new LinkedHashMap<>();
      int before = problems.size();
      for (String entry : text.split(",", -1)) {
        entry(entry.trim(), label, weights, problems);
      }
      return problems.size() == before ? java.util.Collections.unmodifiableMap(weights) : null;
    };
  }

  private static void entry(String entry, String label, Map<String, Integer> weights, List<String> problems) {
    if (entry.isEmpty()) {
      problems.add(label + " must be " + FORMAT + "; it has an empty entry (a stray comma?)");
      return;
    }
    int eq = entry.indexOf('=');
    if (eq < 0) {
      problems.add(label + " must be " + FORMAT + "; " + quoted(entry) + " has no '='");
      return;
    }
    String tenant = entry.substring(0, eq).trim();
    String weight = entry.substring(eq + 1).trim();
    String tenantProblem = Tenants.problem(tenant);
    if (tenantProblem != null) {
      problems.add(label + ": tenant " + quoted(tenant) + " " + tenantProblem);
      return;
    }
    Integer parsed = weight(weight);
    if (parsed == null) {
      problems.add(label + ": the weight of " + tenant + " must be a whole number 1–" + MAX_WEIGHT + ", got "
          + quoted(weight));
      return;
    }
    if (weights.putIfAbsent(tenant, parsed) != null) {
      problems.add(label + ": tenant " + tenant + " is listed twice");
    }
  }

  private static Integer weight(String text) {
    if (!text.matches("\\d{1,3}")) {
      return null;
    }
    int n = Integer.parseInt(text);
    return n >= 1 && n <= MAX_WEIGHT ? n : null;
  }
}
