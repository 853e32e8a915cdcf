package dev.switchc.driver.io;

import java.io.IOException;

/** A consumer that may throw {@link IOException}, for bodies that write to a stream. */
@FunctionalInterface
public interface IoConsumer<T> {
  void accept(T value) throws IOException;
}
