package dev.switchc.cli;

import java.nio.file.Path;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * An output file option as the user typed it. Checked here, on the raw text, because a
 * {@link Path} forgets what matters: {@code Path.of("newdir/")} is {@code newdir}, and
 * {@code Path.of("")} is the working directory.
 */
final class OutputFileName implements ITypeConverter<Path> {
  @Override
  public Path convert(String value) {
    if (value.isEmpty()) throw new TypeConversionException("'' is not a file name; give a file such as out/y.npy");
    if (value.endsWith("/"))
      throw new TypeConversionException("'" + value + "' names a directory (it ends in '/'); give a file name, e.g. '" + value + "y.npy'");
    Path p = Path.of(value);
    String last = p.getFileName() == null ? "" : p.getFileName().toString();
    if (last.equals(".") || last.equals(".."))
      throw new TypeConversionException("'" + value + "' names a directory; give a file name, e.g. '" + value + "/y.npy'");
    return p;
  }

  /** A directory option ({@code compile -o DIR}): any non-empty path. */
  static final class Directory implements ITypeConverter<Path> {
    @Override
    public Path convert(String value) {
      if (value.isEmpty()) throw new TypeConversionException("'' is not a directory name; give one such as out/compiled");
      return Path.of(value);
    }
  }
}
