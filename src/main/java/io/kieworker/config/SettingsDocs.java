package io.kieworker.config;

import java.util.List;

/**
 * Texts made from {@link Settings}: the README table, the sample {@code conf/application.yaml} and
 * the {@code kie-worker config} listing. SettingsDocsTest keeps the committed files equal to these.
 */
public final class SettingsDocs {
  private SettingsDocs() {}

  /** The README's settings table (Markdown), one row per setting. */
  public static String markdownTable() {
    StringBuilder out = new StringBuilder("| variable | default | type | meaning |\n|---|---|---|---|\n");
    for (Setting<?> s : Settings.all()) {
      out.append("| `").append(s.env()).append("` | ")
          .append(s.defaultText() == null ? "unset" : "`" + s.defaultText() + "`").append(" | ")
          .append(s.type().replace("|", "\\|")).append(" | ").append(s.description().replace("|", "\\|")).append(" |\n");
    }
    return out.toString();
  }

  /** conf/application.yaml: every setting as {@code "${ENV:default}"} under its section, described. */
  public static String sampleYaml() {
    StringBuilder out = new StringBuilder("""
        # kie-worker configuration, generated from io.kieworker.config.Settings (do not edit by hand:
        # SettingsDocsTest fails when this file and the declarations differ; -Dsettings.write=true
        # rewrites it). Each setting's environment variable wins when set and non-empty; else the value
        # here ("${VAR:default}" placeholders are filled from the environment); else the default.
        # Durations take ms, s, m, h or d suffixes (900s, 15m, 24h). A file given with --config needs
        # only the keys it changes.
        """);
    String section = null;
    for (Setting<?> s : Settings.all()) {
      if (!s.section().equals(section)) {
        section = s.section();
        out.append('\n').append(section).append(":\n");
      }
      out.append("  # ").append(s.description()).append('\n');
      out.append("  ").append(s.key()).append(": \"${").append(s.env())
          .append(s.defaultText() == null ? "" : ":" + s.defaultText()).append("}\"\n");
      if (s == Settings.GROUP_INSTANCE_ID) {
        out.append("  # Passed to every Kafka client as is (e.g. security.protocol, sasl.jaas.config).\n")
            .append("  # max.request.size here also sets the bound of every record the worker writes (that value less\n")
            .append("  # 1 KiB; default 1,000,000 bytes, under Kafka's default max.message.bytes): raise it together with\n")
            .append("  # the topics' max.message.bytes.\n")
            .append("  properties: {}\n");
      }
    }
    return out.toString();
  }

  /** {@code kie-worker config}: each setting's effective value (secrets masked) and where it came from. */
  public static List<String> effective(ConfigValues values) {
    return Settings.all().stream().map(s -> {
      String text = values.text(s);
      String shown = text == null ? "(unset)" : s.secret() ? Secrets.MASK : text;
      return String.format("%-30s %-40s %s", s.env(), shown, values.source(s).name().toLowerCase());
    }).toList();
  }
}
