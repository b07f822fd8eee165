package dev.palisade.lab.scenario;

/**
 * Where a value sits in a scenario file: the file, the part (empty at the top level, else the step
 * as the runner names it, "step 3 (create-policy)") and the path of keys inside that part. Every
 * parse error is made here, so each one names the file, the step and the field alike.
 */
record Loc(String file, String part, String path) {
  static Loc top(String file) {
    return new Loc(file, "", "");
  }

  /** A part of the file (a step); paths below it start afresh. */
  Loc part(String name) {
    return new Loc(file, name, "");
  }

  Loc at(String key) {
    return new Loc(file, part, path.isEmpty() ? key : path + "." + key);
  }

  Loc at(int index) {
    return new Loc(file, part, path + "[" + index + "]");
  }

  ScenarioException error(String what) {
    StringBuilder sb = new StringBuilder(file).append(": ");
    if (!part.isEmpty()) {
      sb.append(part).append(": ");
    }
    if (!path.isEmpty()) {
      sb.append(path).append(": ");
    }
    return new ScenarioException(sb.append(what).toString());
  }
}
