package dev.palisade.lab.scenario;

import dev.palisade.lab.scenario.Scenario.Probe;
import dev.palisade.lab.scenario.Scenario.Step;
import dev.palisade.lab.scenario.ScenarioTarget.UnsupportedStepException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs scenarios: sets up each on a fresh target, performs every step, checks every probe cell
 * with a real connection, prints each wrong cell and a closing line {@code N passed, N failed}.
 * A step the lab cannot do yet fails the scenario with "not supported yet", never passes silently.
 */
public final class ScenarioRunner {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{(IP|CIDR4):([^}]+)}");
  private final Supplier<ScenarioTarget> targets;
  private final PrintStream out;
  private final ExecutorService probes = Executors.newFixedThreadPool(16, r -> {
    Thread t = new Thread(r, "scenario-probe");
    t.setDaemon(true);
    return t;
  });

  /** The outcome of one scenario; failures are human-readable lines. */
  public record Result(String title, boolean passed, List<String> failures, long millis) {}

  public ScenarioRunner(Supplier<ScenarioTarget> targets, PrintStream out) {
    this.targets = targets;
    this.out = out;
  }

  /** Runs the files in order; returns the results and prints the closing line. */
  public List<Result> runFiles(List<Path> files) {
    List<Result> results = new ArrayList<>();
    for (Path f : files) {
      Scenario s;
      try {
        s = ScenarioParser.parse(f);
      } catch (RuntimeException e) { // a file that cannot be read fails alone; the other files still run
        Result r = new Result(f.toString(), false, List.of(e instanceof ScenarioException ? e.getMessage()
            : f + ": cannot parse: " + e), 0);
        report(r);
        results.add(r);
        continue;
      }
      results.add(run(s));
    }
    long passed = results.stream().filter(Result::passed).count();
    out.println(passed + " passed, " + (results.size() - passed) + " failed");
    return results;
  }

  public Result run(Scenario s) {
    long start = System.nanoTime();
    List<String> failures = new ArrayList<>();
    try (ScenarioTarget target = targets.get()) {
      target.setUp(s);
      for (Step step : s.steps()) {
        String problem = perform(target, step);
        if (problem == null) {
          target.awaitConverged();
          problem = probe(target, step, failures);
        }
        if (problem != null) {
          failures.add(step.describe() + ": " + problem);
          break; // later steps build on this one
        }
      }
    } catch (UnsupportedStepException e) { // from setUp: a part of the scenario the lab cannot build yet
      failures.add("not supported yet: " + e.getMessage());
    } catch (RuntimeException e) {
      failures.add("error: " + e.getMessage());
    }
    Result r = new Result(s.title(), failures.isEmpty(), failures, (System.nanoTime() - start) / 1_000_000);
    report(r);
    return r;
  }

  public void shutdown() {
    probes.shutdownNow();
  }

  private void report(Result r) {
    out.printf("%s %s (%.1f s)%n", r.passed() ? "PASS" : "FAIL", r.title(), r.millis() / 1000.0);
    r.failures().forEach(f -> out.println("  " + f));
  }

  /** Returns null when the step was done, else why it could not be. */
  private String perform(ScenarioTarget target, Step step) {
    try {
      switch (step.action()) {
        case "wait" -> sleep(step);
        case "traffic" -> traffic(target, step);
        default -> target.perform(substitute(target, step));
      }
      return null;
    } catch (UnsupportedStepException e) {
      return "not supported yet: " + e.getMessage();
    }
  }

  /** Checks the step's probes, adding wrong cells; returns null, or why the probes cannot be made. */
  private String probe(ScenarioTarget target, Step step, List<String> failures) {
    try {
      for (Probe p : step.probes()) {
        failures.addAll(check(target, step, p));
      }
      return null;
    } catch (UnsupportedStepException e) {
      return "not supported yet: " + e.getMessage();
    }
  }

  private static void sleep(Step step) {
    Object seconds = step.fields().get("seconds");
    double s = seconds instanceof Number n ? n.doubleValue() : Double.parseDouble(String.valueOf(seconds));
    try {
      Thread.sleep((long) (s * 1000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Makes real connections; each must succeed (traffic is what learning will observe). */
  private void traffic(ScenarioTarget target, Step step) {
    Object flows = step.fields().get("flows");
    if (!(flows instanceof List<?> list)) {
      throw new ScenarioException(step.describe() + ": flows must be a list");
    }
    for (Object o : list) {
      if (!(o instanceof Map<?, ?> flow)) {
        throw new ScenarioException(step.describe() + ": each flow must be a mapping");
      }
      String from = String.valueOf(flow.get("from"));
      String to = String.valueOf(flow.get("to"));
      int port = Integer.parseInt(String.valueOf(flow.get("port")));
      String protocol = flow.containsKey("protocol") ? String.valueOf(flow.get("protocol")) : "TCP";
      int count = Integer.parseInt(String.valueOf(flow.get("count"))); // required by the parser
      List<String> sources = target.resolvePods(from);
      for (int i = 0; i < count; i++) {
        String src = sources.get(i % sources.size());
        List<String> dsts = target.resolvePods(to);
        ScenarioTarget.Endpoint ep = target.dial(src, dsts.get(i % dsts.size()), port, protocol);
        String ip = ep.ip();
        int dport = ep.port();
        if (!target.connect(src, ip, dport, protocol)) {
          throw new ScenarioException(step.describe() + ": traffic " + src + " -> " + to + " (" + ip + ":" + dport
              + "/" + protocol + ") did not connect");
        }
      }
    }
  }

  private List<String> check(ScenarioTarget target, Step step, Probe p) {
    record Cell(String row, String col, String src, String dst, char expected, Future<Boolean> got) {}
    List<Cell> cells = new ArrayList<>();
    for (Map.Entry<String, String> row : p.rows().entrySet()) {
      String[] expected = row.getValue().split(" ");
      List<String> srcs = target.resolvePods(row.getKey());
      for (int c = 0; c < p.columns().size(); c++) {
        char e = expected[c].charAt(0);
        if (e == '-') {
          continue;
        }
        String col = p.columns().get(c);
        for (String src : srcs) {
          for (String dst : target.resolvePods(col)) {
            if (src.equals(dst)) {
              continue; // loopback is never asserted
            }
            ScenarioTarget.Endpoint ep = target.dial(src, dst, p.port(), p.protocol());
            cells.add(new Cell(row.getKey(), col, src, dst, e,
                probes.submit(() -> target.probe(src, ep.ip(), ep.port(), p.protocol()))));
          }
        }
      }
    }
    List<String> wrong = new ArrayList<>();
    for (Cell cell : cells) {
      boolean connected;
      try {
        connected = cell.got().get();
      } catch (Exception e) {
        wrong.add(step.describe() + " " + p.port() + "/" + p.protocol() + ": " + cell.src() + " -> " + cell.dst()
            + ": probe error " + e.getMessage());
        continue;
      }
      char got = connected ? '.' : 'X';
      if (got != cell.expected()) {
        wrong.add(step.describe() + " " + p.port() + "/" + p.protocol() + ": " + cell.src() + " -> " + cell.dst()
            + " expected " + cell.expected() + " got " + got
            + (cell.row().equals(cell.src()) && cell.col().equals(cell.dst()) ? "" : " (row " + cell.row() + ", column " + cell.col() + ")"));
      }
    }
    return wrong;
  }

  /** Replaces ${IP:ns/pod} and ${CIDR4:ns/pod} in every string of the step's fields. */
  static Step substitute(ScenarioTarget target, Step step) {
    Map<String, Object> fields = new LinkedHashMap<>();
    step.fields().forEach((k, v) -> fields.put(k, substituteValue(target, v)));
    return new Step(step.number(), step.action(), fields, step.probes());
  }

  private static Object substituteValue(ScenarioTarget target, Object v) {
    if (v instanceof String s) {
      Matcher m = PLACEHOLDER.matcher(s);
      StringBuilder sb = new StringBuilder();
      while (m.find()) {
        String ip = target.podIp(m.group(2));
        m.appendReplacement(sb, Matcher.quoteReplacement(m.group(1).equals("IP") ? ip : cidr4(ip)));
      }
      m.appendTail(sb);
      return sb.toString();
    }
    if (v instanceof Map<?, ?> map) {
      Map<Object, Object> copy = new LinkedHashMap<>();
      map.forEach((k, x) -> copy.put(k, substituteValue(target, x)));
      return copy;
    }
    if (v instanceof List<?> list) {
      return list.stream().map(x -> substituteValue(target, x)).toList();
    }
    return v;
  }

  /** The /4 network holding the address (upstream's makeLargeCIDRForIP). */
  static String cidr4(String ip) {
    int first = Integer.parseInt(ip.substring(0, ip.indexOf('.')));
    return (first & 0xF0) + ".0.0.0/4";
  }
}
