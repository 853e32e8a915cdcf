package dev.switchc.frontend;

import java.math.BigDecimal;
import java.util.Map;

/** The validated values of a definition, each written or else its kind's default: what {@link ProgramKind#create} reads. */
public record FieldValues(ProgramKind<?> kind, Map<Field, Object> written) {
  public Object get(Field f) {
    Object v = written.get(f);
    return v != null ? v : kind.defaultValue(f, written);
  }

  public <T> T get(Field f, Class<T> type) {
    return type.cast(get(f));
  }

  public long integer(Field f) {
    return (Long) get(f);
  }

  public BigDecimal decimal(Field f) {
    return (BigDecimal) get(f);
  }

  public double real(Field f) {
    return decimal(f).doubleValue();
  }

  public boolean isWritten(Field f) {
    return written.containsKey(f);
  }
}
