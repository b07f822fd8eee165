package dev.palisade.cli;

import dev.palisade.controller.review.RequestId;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The review commands: the page's actions on the command line, through the same API and token.
 * <pre>
 *   palisade graph show [--namespace NS] [--status S] | graph diff --since SNAP | graph snapshot NAME
 *   palisade graph export --format dot|graphml|json
 *   palisade approve|reject SRC DST PORT/PROTO...     (SRC, DST as NS/KIND/NAME)
 *   palisade mode set NS[/KIND/NAME] learn|monitor|enforce
 *   palisade policy export --namespace NS [--status approved,learned] [--format networkpolicy|palisade]
 *   palisade audit [--json]
 * </pre>
 * approve, reject, mode set and graph snapshot are decisions: each carries a request id and is sent
 * again with it when its answer is lost ({@link DecisionCommand}).
 */
final class ReviewCommands {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private ReviewCommands() {}

  /** An edge as the page and the audit log name it: SRC -> DST PORT/PROTO. */
  static String edge(JsonNode e) {
    return e.path("source").asString() + " -> " + e.path("destination").asString() + " " + e.path("port").asInt() + "/"
        + e.path("protocol").asString();
  }

  /** Runs an API call; what it throws becomes a message and exit code in {@link ExitCodes.Handler}. */
  abstract static class ApiCommand implements Callable<Integer> {
    @Mixin ApiClient api;
    @Spec CommandLine.Model.CommandSpec spec;

    PrintWriter out() {
      return spec.commandLine().getOut();
    }

    /** A malformed argument: exit code 2 with the usage, as for an unknown option. */
    CommandLine.ParameterException usage(String message) {
      return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    @Override
    public Integer call() {
      run();
      out().flush();
      return ExitCodes.OK;
    }

    abstract void run();
  }

  /**
   * A command that changes the controller's state. Each run is one decision with one request id,
   * fresh unless the user gives one (--id, to send again by hand a decision whose answer was lost),
   * and every attempt to send it carries that id, so it is applied at most once.
   */
  abstract static class DecisionCommand extends ApiCommand {
    @Option(names = "--id", paramLabel = "ID", description = "the decision's request id (default: a new one): "
        + "give the id a failed run printed to send that decision again without applying it twice")
    String id;

    /** Posts the body as this run's decision; says so when the controller had it already. */
    JsonNode decide(String path, ObjectNode body) {
      String requestId = id != null ? id : "cli-" + UUID.randomUUID();
      if (!RequestId.valid(requestId)) {
        throw usage("--id: '" + id + "' must be 1..64 characters of A-Z a-z 0-9 . _ : - starting with a letter "
            + "or digit");
      }
      JsonNode r = JSON.readTree(api.decide(path, body, requestId));
      if (r.path("repeated").asBoolean()) {
        out().printf("%s was decided before: this is its answer from the audit log, not a second decision%n", requestId);
      }
      return r;
    }
  }

  @Command(name = "graph", description = "Show, compare, snapshot or export the flow graph.",
      subcommands = {Show.class, Diff.class, Snapshot.class, Export.class})
  static final class Graph implements Runnable {
    @Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      spec.commandLine().usage(spec.commandLine().getOut());
    }
  }

  @Command(name = "show", description = "The edges with their status and evidence.")
  static final class Show extends ApiCommand {
    @Option(names = "--namespace", description = "only edges with an end in this namespace") String namespace;
    @Option(names = "--status", description = "learned, approved or rejected") String status;
    @Option(names = "--all", description = "also kubelet probes from the node and DNS to the cluster DNS") boolean all;

    @Override
    void run() {
      JsonNode g = JSON.readTree(api.get("/v1/graph"));
      Instant now = Instant.now();
      out().printf("revision %d%n", g.path("revision").asLong());
      out().printf("%-32s %-32s %-10s %-9s %8s %10s  %s%n", "SOURCE", "DESTINATION", "PORT", "STATUS", "COUNT", "VIOLATIONS",
          "LAST SEEN");
      for (JsonNode e : g.path("edges")) {
        String src = e.path("source").asString();
        String dst = e.path("destination").asString();
        if (namespace != null && !src.startsWith(namespace + "/") && !dst.startsWith(namespace + "/")) continue;
        if (status != null && !status.equalsIgnoreCase(e.path("status").asString())) continue;
        if (!all && !e.path("class").asString("service").equals("service")) continue;
        out().printf("%-32s %-32s %-10s %-9s %8d %10d  %s%n", src, dst, e.path("port").asInt() + "/"
            + e.path("protocol").asString(), e.path("status").asString(), e.path("count").asLong(),
            e.path("violations").asLong(), Ages.agoEpochMillis(e.path("lastSeen").asLong(), now));
      }
    }
  }

  @Command(name = "diff", description = "What changed since a snapshot: edges added, removed, changed.")
  static final class Diff extends ApiCommand {
    @Option(names = "--since", required = true, description = "snapshot name") String since;

    @Override
    void run() {
      JsonNode d = JSON.readTree(api.get("/v1/diff?since=" + ApiClient.q(since)));
      for (String kind : List.of("added", "removed")) {
        for (JsonNode e : d.path(kind)) {
          out().printf("%s %s%n", kind.equals("added") ? "+" : "-", edge(e) + " " + e.path("status").asString());
        }
      }
      for (JsonNode c : d.path("changed")) {
        out().printf("~ %s %s -> %s, %d -> %d connections%n", edge(c.path("now")), c.path("before").path("status").asString(),
            c.path("now").path("status").asString(), c.path("before").path("count").asLong(), c.path("now").path("count").asLong());
      }
      out().printf("%d added, %d removed, %d changed since %s%n", d.path("added").size(), d.path("removed").size(),
          d.path("changed").size(), since);
    }
  }

  @Command(name = "snapshot", description = "Keep the graph as it is now under a name, for graph diff.")
  static final class Snapshot extends DecisionCommand {
    @Parameters(paramLabel = "NAME") String name;

    @Override
    void run() {
      JsonNode r = decide("/v1/snapshots", JSON.createObjectNode().put("name", name));
      out().printf("snapshot %s kept: %d edges at %s%n", r.path("name").asString(), r.path("edges").asInt(),
          r.path("taken").asString());
    }
  }

  @Command(name = "export", description = "The graph as DOT, GraphML or JSON.")
  static final class Export extends ApiCommand {
    @Option(names = "--format", defaultValue = "dot", description = "dot, graphml or json (default dot)") String format;

    @Override
    void run() {
      String path = switch (format.toLowerCase(Locale.ROOT)) {
        case "dot" -> "/v1/export/dot";
        case "graphml" -> "/v1/export/graphml";
        case "json" -> "/v1/graph";
        default -> throw usage("--format must be dot, graphml or json, not '" + format + "'");
      };
      out().print(api.get(path));
    }
  }

  /** approve / reject: SRC DST PORT/PROTO, repeated. */
  abstract static class Decide extends DecisionCommand {
    @Parameters(arity = "3..*", paramLabel = "SRC DST PORT/PROTO",
        description = "one or more edges, each as three words: NS/KIND/NAME NS/KIND/NAME PORT/PROTO")
    List<String> words;

    abstract String status();

    @Override
    void run() {
      if (words.size() % 3 != 0) {
        throw usage("edges come in threes (SRC DST PORT/PROTO), got " + words.size() + " words");
      }
      ObjectNode body = JSON.createObjectNode().put("status", status());
      ArrayNode only = body.putArray("only");
      for (int i = 0; i < words.size(); i += 3) {
        String[] pp = words.get(i + 2).split("/");
        if (pp.length != 2) {
          throw usage("'" + words.get(i + 2) + "' is not PORT/PROTO (e.g. 9090/TCP)");
        }
        int port;
        try {
          port = Integer.parseInt(pp[0]);
        } catch (NumberFormatException e) {
          throw usage("'" + pp[0] + "' is not a port number");
        }
        only.addObject().put("from", words.get(i)).put("to", words.get(i + 1)).put("port", port).put("protocol", pp[1]);
      }
      JsonNode r = decide("/v1/review", body);
      out().printf("%s: %d edge(s) changed, revision %d%n", status(), r.path("changed").asInt(), r.path("revision").asLong());
    }
  }

  @Command(name = "approve", description = "Approve edges: they become allowed when their workloads are enforced.")
  static final class Approve extends Decide {
    @Override
    String status() {
      return "approved";
    }
  }

  @Command(name = "reject", description = "Reject edges: never allowed, and flagged if seen again.")
  static final class Reject extends Decide {
    @Override
    String status() {
      return "rejected";
    }
  }

  @Command(name = "mode", description = "Modes of namespaces and workloads.", subcommands = {ModeSet.class})
  static final class Mode implements Runnable {
    @Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      spec.commandLine().usage(spec.commandLine().getOut());
    }
  }

  @Command(name = "set", description = "Set the mode of a namespace (NS) or a workload (NS/KIND/NAME).")
  static final class ModeSet extends DecisionCommand {
    @Parameters(index = "0", paramLabel = "TARGET") String target;
    @Parameters(index = "1", paramLabel = "MODE", description = "learn, monitor or enforce") String mode;

    @Override
    void run() {
      String[] p = target.split("/", 2);
      ObjectNode body = JSON.createObjectNode().put("namespace", p[0]);
      if (p.length == 2) {
        body.put("workload", p[1]);
      }
      JsonNode r = decide("/v1/mode", body.put("mode", mode));
      out().printf("%s is now %s (audit #%d)%n", r.path("target").asString(), r.path("mode").asString(),
          r.path("audit").asLong());
    }
  }

  @Command(name = "policy", description = "NetworkPolicy from the reviewed graph.", subcommands = {PolicyExport.class})
  static final class Policy implements Runnable {
    @Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      spec.commandLine().usage(spec.commandLine().getOut());
    }
  }

  @Command(name = "export", description = "Kubernetes NetworkPolicy YAML for one namespace, or (--format palisade) "
      + "the approved edges into it as an ApprovedGraph to keep in git.")
  static final class PolicyExport extends ApiCommand {
    @Option(names = "--namespace", required = true) String namespace;
    @Option(names = "--status", defaultValue = "approved", description = "approved (default), or approved,learned")
    String status;
    @Option(names = "--format", defaultValue = "networkpolicy", description = "networkpolicy (default) or palisade")
    String format;

    @Override
    void run() {
      if (format.equals("palisade")) {
        out().print(ApprovedGraphExport.render(JSON.readTree(api.get("/v1/graph")), namespace));
        return;
      }
      if (!format.equals("networkpolicy")) {
        throw new IllegalArgumentException("--format must be networkpolicy or palisade, not '" + format + "'");
      }
      out().print(api.get("/v1/export/networkpolicy?namespace=" + ApiClient.q(namespace) + "&status=" + ApiClient.q(status)));
    }
  }

  @Command(name = "audit", description = "Every approval, rejection and mode change: who, when (how long ago; --json "
      + "has the instant), what, before/after; a decision over several edges lists each.")
  static final class Audit extends ApiCommand {
    @Option(names = "--json", description = "the log as JSON") boolean json;

    @Override
    void run() {
      String body = api.get("/v1/audit");
      if (json) {
        out().println(body);
        return;
      }
      Instant now = Instant.now();
      for (JsonNode a : JSON.readTree(body)) {
        out().printf("#%-4d %-9s %-20s %-9s %s: %s -> %s%n", a.path("seq").asLong(), Ages.agoIso(a.path("time").asString(), now),
            a.path("who").asString() + "(" + a.path("role").asString() + ")", a.path("action").asString(),
            a.path("target").asString(), a.path("before").asString("-"), a.path("after").asString("-"));
        // a review of several edges is one decision: its line counts them, these name each one
        JsonNode edges = a.path("edges");
        if (edges.size() > 1) {
          for (JsonNode e : edges) {
            out().printf("      %s: %s -> %s%n", e.path("edge").asString(), e.path("before").asString("-"),
                a.path("after").asString("-"));
          }
        }
      }
    }
  }
}
