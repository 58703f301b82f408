package dev.switchboard.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads {@code --data}: the text itself, {@code @file} for a file's bytes, {@code @-} for stdin.
 */
final class BodyConverter implements ITypeConverter<BodyConverter.Data> {
  /** The bytes to send, and whether they came from a file (so their type is unknown). */
  record Data(byte[] bytes, boolean fromFile) {}

  @Override
  public Data convert(String value) {
    if (!value.startsWith("@")) {
      return new Data(value.getBytes(StandardCharsets.UTF_8), false);
    }
    String file = value.substring(1);
    try {
      if (file.equals("-")) {
        return new Data(System.in.readAllBytes(), true);
      }
      return new Data(Files.readAllBytes(Path.of(file)), true);
    } catch (NoSuchFileException e) {
      throw new TypeConversionException("no such file: " + file);
    } catch (IOException | RuntimeException e) {
      throw new TypeConversionException("cannot read " + file + ": " + e);
    }
  }
}
