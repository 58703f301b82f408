package dev.switchboard.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads durations the way people write them: {@code 500ms}, {@code 2s}, {@code 1m}, {@code 1h},
 * combined as in {@code 1m30s}; ISO-8601 ({@code PT2S}) is accepted too. Must be positive.
 */
final class DurationConverter implements ITypeConverter<Duration> {
  private static final Pattern WHOLE = Pattern.compile("(?:\\d+(?:ms|h|m|s))+");
  private static final Pattern PART = Pattern.compile("(\\d+)(ms|h|m|s)");

  @Override
  public Duration convert(String value) {
    return parse(value);
  }

  static Duration parse(String value) {
    String s = value.strip().toLowerCase(Locale.ROOT);
    Duration d;
    if (s.startsWith("pt") || s.startsWith("p")) {
      try {
        d = Duration.parse(s.toUpperCase(Locale.ROOT));
      } catch (DateTimeParseException e) {
        throw invalid(value);
      }
    } else if (WHOLE.matcher(s).matches()) {
      d = Duration.ZERO;
      Matcher m = PART.matcher(s);
      try {
        while (m.find()) {
          long n = Long.parseLong(m.group(1));
          d =
              d.plus(
                  switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    default -> Duration.ofHours(n);
                  });
        }
      } catch (ArithmeticException | NumberFormatException e) {
        throw new TypeConversionException("'" + value + "' is too long a duration");
      }
    } else {
      throw invalid(value);
    }
    if (d.isZero() || d.isNegative()) {
      throw new TypeConversionException("'" + value + "' must be a positive duration");
    }
    return d;
  }

  private static TypeConversionException invalid(String value) {
    return new TypeConversionException(
        "'"
            + value
            + "' is not a duration; write a number and a unit, e.g. 500ms, 2s, 1m or 1m30s");
  }
}
