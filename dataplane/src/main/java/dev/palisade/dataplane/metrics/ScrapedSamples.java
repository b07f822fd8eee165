package dev.palisade.dataplane.metrics;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The samples of one scrape in Prometheus text format, read back: what a test, the lab, or
 * {@code palisade doctor} checks on a {@code /metrics} page. Reads only what the exposition
 * library writes (one sample per line, label values quoted with \\, \" and \n escaped, no
 * timestamps). Pure.
 */
public record ScrapedSamples(List<Sample> samples) {
  public record Sample(String name, Map<String, String> labels, double value) {}

  public ScrapedSamples {
    samples = List.copyOf(samples);
  }

  /** The registry's samples as its /metrics page would show them (the library's text writer). */
  public static String text(PrometheusRegistry registry) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      PrometheusTextFormatWriter.create().write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  public static ScrapedSamples of(PrometheusRegistry registry) {
    return parse(text(registry));
  }

  public static ScrapedSamples parse(String text) {
    List<Sample> out = new ArrayList<>();
    int lineNo = 0;
    for (String line : text.split("\n")) {
      lineNo++;
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      try {
        out.add(sample(line));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("line " + lineNo + " is not a Prometheus sample: " + line, e);
      }
    }
    return new ScrapedSamples(out);
  }

  private static Sample sample(String line) {
    int brace = line.indexOf('{');
    int space = line.indexOf(' ');
    Map<String, String> labels = new LinkedHashMap<>();
    String name;
    int i;
    if (brace >= 0 && (space < 0 || brace < space)) {
      name = line.substring(0, brace);
      i = brace + 1;
      while (line.charAt(i) != '}') {
        int eq = line.indexOf('=', i);
        String label = line.substring(i, eq).strip();
        if (line.charAt(eq + 1) != '"') {
          throw new IllegalArgumentException("label " + label + " has no quoted value");
        }
        StringBuilder v = new StringBuilder();
        int j = eq + 2;
        for (; line.charAt(j) != '"'; j++) {
          char c = line.charAt(j);
          if (c == '\\') {
            char n = line.charAt(++j);
            v.append(n == 'n' ? '\n' : n);
          } else {
            v.append(c);
          }
        }
        labels.put(label, v.toString());
        i = j + 1;
        if (line.charAt(i) == ',') {
          i++;
        }
      }
      i++;
    } else {
      name = line.substring(0, space);
      i = space;
    }
    String[] rest = line.substring(i).strip().split(" ");
    return new Sample(name, Map.copyOf(labels), Double.parseDouble(rest[0]));
  }

  /** The sum of the samples named {@code name} whose labels include {@code labels}; 0 if none. */
  public double sum(String name, Map<String, String> labels) {
    return samples.stream().filter(s -> s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet()))
        .mapToDouble(Sample::value).sum();
  }

  public double sum(String name) {
    return sum(name, Map.of());
  }

  /** True if some sample has this name. */
  public boolean has(String name) {
    return samples.stream().anyMatch(s -> s.name().equals(name));
  }

  /** The sample names present (a counter's with _total, a histogram's with _bucket, _sum, _count). */
  public Set<String> names() {
    Set<String> out = new TreeSet<>();
    samples.forEach(s -> out.add(s.name()));
    return out;
  }
}
