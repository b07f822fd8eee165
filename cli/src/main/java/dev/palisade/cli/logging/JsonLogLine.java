package dev.palisade.cli.logging;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.event.Level;
import tools.jackson.databind.json.JsonMapper;

/**
 * One log event as one line of JSON, the shape log pipelines (Loki, Elasticsearch, Cloud Logging)
 * pick fields from without parsing: time (ISO-8601 UTC), level, logger, thread, message, and the
 * exception with its stack trace as one string field. Pure.
 */
final class JsonLogLine {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private JsonLogLine() {}

  static String format(Instant time, Level level, String logger, String thread, String message, Throwable error) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("time", time.toString());
    o.put("level", level.name());
    o.put("logger", logger);
    o.put("thread", thread);
    o.put("message", message);
    if (error != null) {
      StringWriter trace = new StringWriter();
      error.printStackTrace(new PrintWriter(trace));
      o.put("exception", trace.toString());
    }
    return JSON.writeValueAsString(o);
  }
}
