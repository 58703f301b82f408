package dev.switchboard.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads {@code --data}: the text itself, {@code @file} for a file, {@code @-} for standard input. A
 * file or standard input is not read here: it streams when the request is sent.
 */
final class BodyConverter implements ITypeConverter<BodyConverter.Data> {
  /** Where the body comes from. */
  sealed interface Data permits Text, FromFile, FromStdin {}

  /** The text given on the command line. */
  record Text(byte[] bytes) implements Data {}

  /** A readable regular file, sent as it is read (its length known beforehand). */
  record FromFile(Path file) implements Data {}

  /** Standard input, sent as it is read, chunked (its length is not known). */
  record FromStdin() implements Data {}

  @Override
  public Data convert(String value) {
    if (!value.startsWith("@")) {
      return new Text(value.getBytes(StandardCharsets.UTF_8));
    }
    String name = value.substring(1);
    if (name.equals("-")) {
      return new FromStdin();
    }
    Path file;
    try {
      file = Path.of(name);
    } catch (RuntimeException e) {
      throw new TypeConversionException("cannot read " + name + ": " + e.getMessage());
    }
    if (!Files.exists(file)) {
      throw new TypeConversionException("no such file: " + name);
    }
    if (!Files.isRegularFile(file)) {
      throw new TypeConversionException("cannot read " + name + ": not a regular file");
    }
    if (!Files.isReadable(file)) {
      throw new TypeConversionException("cannot read " + name + ": permission denied");
    }
    return new FromFile(file);
  }
}
