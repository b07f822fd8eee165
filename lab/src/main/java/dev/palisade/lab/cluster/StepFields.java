package dev.palisade.lab.cluster;

import dev.palisade.lab.scenario.Scenario.Step;
import dev.palisade.lab.scenario.ScenarioException;
import java.util.HashMap;
import java.util.Map;

/** A scenario step's fields as the lab's step handlers read them: a missing or mistyped field fails the step. */
final class StepFields {
  private StepFields() {}

  static Object required(Step step, String field) {
    Object v = step.fields().get(field);
    if (v == null) {
      throw new ScenarioException(step.describe() + ": missing '" + field + "'");
    }
    return v;
  }

  static Map<String, String> stringMap(Step step, String field) {
    Object v = required(step, field);
    if (!(v instanceof Map<?, ?> m)) {
      throw new ScenarioException(step.describe() + ": '" + field + "' must be a mapping");
    }
    Map<String, String> out = new HashMap<>();
    m.forEach((k, val) -> out.put(String.valueOf(k), String.valueOf(val)));
    return out;
  }
}
