package dev.palisade.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code palisade why SRC DST PORT/PROTO [-o json]}: the verdict a new connection gets now and the
 * rule that decides it, asked of the controller ({@code GET /v1/why}, viewer). It exits 0 whatever
 * the verdict (the answer is the output); codes 1..3 are the usual ones of {@link ExitCodes}.
 */
@Command(name = "why", description = "Why a connection SRC -> DST PORT/PROTO is allowed or blocked now: the verdict, "
    + "the deciding layer (failsafe, NetworkPolicy, review, mode) and the nearest approved edges.")
final class WhyCommand extends ReviewCommands.ApiCommand {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @Parameters(index = "0", paramLabel = "SRC", description = "workload NS/KIND/NAME, pod NS/POD or an address")
  String src;

  @Parameters(index = "1", paramLabel = "DST", description = "workload NS/KIND/NAME, pod NS/POD or an address")
  String dst;

  @Parameters(index = "2", paramLabel = "PORT/PROTO", description = "e.g. 5432/TCP (the protocol defaults to TCP)")
  String portProto;

  @Option(names = {"-o", "--output"}, defaultValue = "text", description = "text (default) or json")
  String output;

  @Override
  void run() {
    if (!output.equals("text") && !output.equals("json")) {
      throw usage("-o must be text or json, not '" + output + "'");
    }
    String[] pp = portProto.split("/", -1);
    if (pp.length > 2 || pp[0].isBlank()) {
      throw usage("'" + portProto + "' is not PORT/PROTO (e.g. 5432/TCP)");
    }
    int port;
    try {
      port = Integer.parseInt(pp[0]);
    } catch (NumberFormatException e) {
      throw usage("'" + pp[0] + "' is not a port number");
    }
    if (port < 1 || port > 65535) {
      throw usage("port must be 1..65535, not " + port);
    }
    String proto = pp.length == 2 ? pp[1] : "TCP";
    String body = api.get("/v1/why?src=" + ApiClient.q(src) + "&dst=" + ApiClient.q(dst) + "&port=" + port
        + "&protocol=" + ApiClient.q(proto));
    if (output.equals("json")) {
      out().println(body.strip());
      return;
    }
    JsonNode w = JSON.readTree(body);
    out().printf("%s  %s%n", w.path("verdict").asString().toUpperCase(java.util.Locale.ROOT), w.path("edge").asString());
    out().printf("decided by: %s%n", w.path("decidedBy").asString());
    out().printf("why:        %s%n", w.path("reason").asString());
    out().printf("modes:      source %s, destination %s%n", w.path("source").path("mode").asString("-"),
        w.path("destination").path("mode").asString("-"));
    if (w.has("howToRequest")) {
      out().printf("to allow:   %s%n", w.path("howToRequest").asString());
    }
    if (!w.path("nearestApproved").isEmpty()) {
      out().println("nearest approved edges:");
      w.path("nearestApproved").forEach(e -> out().printf("  %s%n", e.asString()));
    }
  }
}
