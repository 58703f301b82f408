package dev.switchboard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class DurationConverterTest {
  @Test
  void readsTheUnitsPeopleWrite() {
    assertThat(DurationConverter.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(DurationConverter.parse("2s")).isEqualTo(Duration.ofSeconds(2));
    assertThat(DurationConverter.parse("1m")).isEqualTo(Duration.ofMinutes(1));
    assertThat(DurationConverter.parse("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(DurationConverter.parse("1m30s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(DurationConverter.parse(" 2S ")).isEqualTo(Duration.ofSeconds(2));
    assertThat(DurationConverter.parse("PT1.5S")).isEqualTo(Duration.ofMillis(1500));
  }

  @Test
  void refusesWhatIsNotADuration() {
    for (String bad : new String[] {"5", "5x", "ms", "-2s", "2 s", "", "P"}) {
      assertThatThrownBy(() -> DurationConverter.parse(bad))
          .as(bad)
          .isInstanceOf(TypeConversionException.class)
          .hasMessageContaining("is not a duration");
    }
    assertThatThrownBy(() -> DurationConverter.parse("0ms"))
        .hasMessageContaining("must be a positive duration");
  }
}
