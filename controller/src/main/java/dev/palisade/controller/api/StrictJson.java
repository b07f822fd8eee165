package dev.palisade.controller.api;

import java.util.Iterator;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads request bodies without guessing: a field of the wrong JSON type, an unknown field, a
 * missing required field or a value out of range is a 400 naming the field by its path
 * ({@code only[0].port: must be an integer 1..65535, not "9090/TCP"}). Jackson's own coercions
 * ({@code asInt} of a string, {@code asString} of a number) are never used: a typo in a decision
 * must be refused, not read as "everything".
 */
public final class StrictJson {
  private static final JsonMapper MAPPER = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();
  /** Values quoted back in errors are cut: a refusal must not echo a megabyte. */
  private static final int QUOTED = 40;

  private StrictJson() {}

  /** The body as a JSON object, or a 400 saying what was expected ({@code shape}). */
  public static JsonNode object(byte[] body, String shape) {
    JsonNode root;
    try {
      root = MAPPER.readTree(body);
    } catch (JacksonException e) {
      throw ApiException.badRequest("body is not JSON (" + e.getOriginalMessage() + "); expected " + shape);
    }
    if (root == null || root.isMissingNode()) {
      throw ApiException.badRequest("body is empty; expected " + shape);
    }
    if (!root.isObject()) {
      throw ApiException.badRequest("body must be an object " + shape + ", not " + show(root));
    }
    return root;
  }

  /** Refuses any field of {@code o} not in {@code allowed}; {@code at} is the path prefix ("" or "only[0]."). */
  public static void onlyFields(JsonNode o, String at, Set<String> allowed) {
    for (Iterator<String> it = o.propertyNames().iterator(); it.hasNext(); ) {
      String name = it.next();
      if (!allowed.contains(name)) {
        throw ApiException.badRequest(at + cut(name) + ": unknown field (known: " + String.join(", ",
            new TreeSet<>(allowed)) + ")");
      }
    }
  }

  /** A string field; null when absent and not required. JSON null is a wrong type, never "absent". */
  public static String string(JsonNode o, String at, String field, boolean required) {
    JsonNode v = present(o, at, field, required, "a string");
    if (v == null) {
      return null;
    }
    if (!v.isString()) {
      throw wrong(at, field, "a string", v);
    }
    return v.asString();
  }

  /** An integer field within min..max; {@code absent} when absent and not required. */
  public static long integer(JsonNode o, String at, String field, boolean required, long min, long max, long absent) {
    String want = "an integer " + min + ".." + max;
    JsonNode v = present(o, at, field, required, want);
    if (v == null) {
      return absent;
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < min || v.asLong() > max) {
      throw wrong(at, field, want, v);
    }
    return v.asLong();
  }

  /** A boolean field; null when absent and not required. */
  public static Boolean bool(JsonNode o, String at, String field, boolean required) {
    JsonNode v = present(o, at, field, required, "true or false");
    if (v == null) {
      return null;
    }
    if (!v.isBoolean()) {
      throw wrong(at, field, "true or false", v);
    }
    return v.asBoolean();
  }

  /** An array field of at most {@code max} elements; null when absent and not required. */
  public static JsonNode array(JsonNode o, String at, String field, boolean required, int max) {
    String want = "an array of at most " + max + " elements";
    JsonNode v = present(o, at, field, required, want);
    if (v == null) {
      return null;
    }
    if (!v.isArray() || v.size() > max) {
      throw wrong(at, field, want, v);
    }
    return v;
  }

  /** A refusal of field {@code at+field}: it must be {@code want}, and is {@code v}. */
  public static ApiException wrong(String at, String field, String want, JsonNode v) {
    return ApiException.badRequest(at + field + ": must be " + want + ", not " + show(v));
  }

  private static JsonNode present(JsonNode o, String at, String field, boolean required, String want) {
    JsonNode v = o.get(field);
    if (v == null && required) {
      throw ApiException.badRequest(at + field + ": required, must be " + want);
    }
    return v;
  }

  /** A value as JSON text, cut to a readable length. */
  public static String show(JsonNode v) {
    if (v.isArray()) {
      return "an array";
    }
    if (v.isObject()) {
      return "an object";
    }
    return cut(v.toString());
  }

  private static String cut(String s) {
    return s.length() <= QUOTED ? s : s.substring(0, QUOTED) + "... (" + s.length() + " characters)";
  }
}
