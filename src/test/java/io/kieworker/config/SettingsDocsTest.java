package io.kieworker.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The README table and conf/application.yaml are made from {@link Settings}; this keeps them in step.
 * {@code mvn test -Dtest=SettingsDocsTest -Dsettings.write=true} rewrites both.
 */
class SettingsDocsTest {
  private static final Path README = Path.of("README.md");
  private static final Path SAMPLE = Path.of("conf/application.yaml");
  private static final String BEGIN = "<!-- settings:begin (generated from io.kieworker.config.Settings) -->\n";
  private static final String END = "<!-- settings:end -->";

  @Test
  void readmeTableIsMadeFromTheDeclarations() throws Exception {
    String readme = Files.readString(README);
    int begin = readme.indexOf(BEGIN);
    int end = readme.indexOf(END);
    assertThat(begin).as("README markers").isPositive();
    String expected = readme.substring(0, begin + BEGIN.length()) + SettingsDocs.markdownTable()
        + readme.substring(end);
    write(README, readme, expected);
    assertThat(readme).as("README settings table; rewrite with -Dsettings.write=true").isEqualTo(expected);
  }

  @Test
  void sampleFileIsMadeFromTheDeclarations() throws Exception {
    String sample = Files.readString(SAMPLE);
    write(SAMPLE, sample, SettingsDocs.sampleYaml());
    assertThat(sample).as("conf/application.yaml; rewrite with -Dsettings.write=true")
        .isEqualTo(SettingsDocs.sampleYaml());
  }

  @Test
  void theSampleFileLoadsToTheDefaults() {
    Map<String, String> env = Map.of("KIE_API_KEY", "k");
    assertThat(ConfigLoader.load(SAMPLE, env)).isEqualTo(ConfigLoader.load(null, env));
  }

  @Test
  void everySettingHasItsOwnPathAndVariable() {
    Set<String> paths = new HashSet<>();
    Set<String> envs = new HashSet<>();
    for (Setting<?> s : Settings.all()) {
      assertThat(paths.add(s.path())).as(s.path()).isTrue();
      assertThat(envs.add(s.env())).as(s.env()).isTrue();
      assertThat(s.description()).as(s.env()).isNotBlank();
    }
  }

  private static void write(Path file, String current, String expected) throws Exception {
    if (Boolean.getBoolean("settings.write") && !current.equals(expected)) {
      Files.writeString(file, expected);
    }
  }
}
