package dev.switchboard.tck;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The checks the kit has, by id ({@code area.check}), read from {@link TransportTck} itself: what a
 * complete run must report. {@link TckVerify} compares each report with it, so a run that executed
 * fewer checks (or none) cannot pass for a certification.
 */
public final class TckCatalog {
  private static final List<String> IDS = load();

  private TckCatalog() {}

  /**
   * Every check id, sorted.
   *
   * @return the ids, as they appear in reports
   */
  public static List<String> checkIds() {
    return IDS;
  }

  /**
   * The number of checks.
   *
   * @return {@code checkIds().size()}
   */
  public static int size() {
    return IDS.size();
  }

  private static List<String> load() {
    TreeSet<String> ids = new TreeSet<>();
    for (Class<?> area : TransportTck.class.getDeclaredClasses()) {
      if (!area.isAnnotationPresent(Nested.class)) {
        continue;
      }
      for (Method m : area.getDeclaredMethods()) {
        DisplayName name = m.getAnnotation(DisplayName.class);
        if (m.isAnnotationPresent(Test.class) && name != null) {
          ids.add(name.value());
        }
      }
    }
    return List.copyOf(new ArrayList<>(ids));
  }
}
