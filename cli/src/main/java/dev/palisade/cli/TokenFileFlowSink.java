package dev.palisade.cli;

import dev.palisade.dataplane.flow.FlowSink;
import dev.palisade.dataplane.flow.HttpFlowSink;
import dev.palisade.dataplane.tls.ControllerTrust;
import dev.palisade.model.DropEvent;
import dev.palisade.model.FlowReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The controller's flow API with the token read from a file before each report: kubelet rotates
 * projected ServiceAccount tokens in place, and a token read once would expire within the hour.
 */
final class TokenFileFlowSink implements FlowSink {
  private final String controllerUrl;
  private final Path tokenFile;
  /** One client for the agent's life: its TLS setup and connections outlive a token renewal. */
  private final java.net.http.HttpClient http;
  private String token;
  private HttpFlowSink sink;

  TokenFileFlowSink(String controllerUrl, Path tokenFile, ControllerTrust trust) {
    this.controllerUrl = controllerUrl;
    this.tokenFile = tokenFile;
    this.http = HttpFlowSink.client(controllerUrl, trust); // a plain-HTTP URL or bad CA fails at start-up
    current(); // fail at start-up, not at the first report, if the token is missing
  }

  private synchronized HttpFlowSink current() {
    String fresh;
    try {
      fresh = Files.readString(tokenFile).strip();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the agent token " + tokenFile, e);
    }
    if (!fresh.equals(token)) {
      token = fresh;
      sink = new HttpFlowSink(controllerUrl, fresh, http);
    }
    return sink;
  }

  @Override
  public void send(FlowReport report) {
    current().send(report);
  }

  @Override
  public void sendDrops(String node, List<DropEvent> events) {
    current().sendDrops(node, events);
  }
}
