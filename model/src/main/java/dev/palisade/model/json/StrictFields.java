package dev.palisade.model.json;

import java.util.Iterator;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/** The strict field readers the agents' report formats share: each refusal names the field. */
final class StrictFields {
  private StrictFields() {}

  static void onlyFields(JsonNode o, Set<String> allowed, String at) {
    for (Iterator<String> it = o.propertyNames().iterator(); it.hasNext(); ) {
      String name = it.next();
      if (!allowed.contains(name)) {
        throw new IllegalArgumentException(at + name + ": unknown field");
      }
    }
  }


  static String text(JsonNode o, String field, String at) {
    JsonNode v = o.get(field);
    if (v == null || !v.isString() || v.asString().isBlank() || v.asString().length() > 253) {
      throw new IllegalArgumentException(at + field + ": must be a non-empty string of at most 253 characters");
    }
    return v.asString();
  }


  static long number(JsonNode o, String field, String at, long min, long max) {
    JsonNode v = o.get(field);
    if (v == null || !v.isIntegralNumber() || !v.canConvertToLong()) {
      throw new IllegalArgumentException(at + field + ": must be an integer");
    }
    long n = v.asLong();
    if (n < min || n > max) {
      throw new IllegalArgumentException(at + field + ": must be " + min + ".." + max + ", not " + n);
    }
    return n;
  }
}
