package dev.palisade.cli;

import dev.palisade.model.crd.AccessRequest;
import dev.palisade.model.crd.AccessRequestSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code palisade request SRC DST PORT/PROTO --reason TEXT}: files an AccessRequest (palisade.dev)
 * for the edge in the requester's namespace (SRC's, unless --namespace says otherwise), with the
 * user's own Kubernetes credentials: a developer needs only the palisade-developer role there. It
 * approves nothing: the request waits in the review page's queue for an approver, and its status
 * (kubectl get accessrequest) says what was decided.
 */
@Command(name = "request", description = "Ask for an edge SRC -> DST PORT/PROTO to be allowed: files an AccessRequest "
    + "that an approver decides on the review page (kubectl get accessrequests shows its status).")
final class RequestCommand implements Callable<Integer> {
  private static final Pattern END = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?/([A-Za-z]+/)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?");
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final SecureRandom RANDOM = new SecureRandom();

  @Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "SRC", description = "workload NS/KIND/NAME or pod NS/POD")
  String src;

  @Parameters(index = "1", paramLabel = "DST", description = "workload NS/KIND/NAME or pod NS/POD")
  String dst;

  @Parameters(index = "2", paramLabel = "PORT/PROTO", description = "e.g. 5432/TCP (the protocol defaults to TCP)")
  String portProto;

  @Option(names = "--reason", required = true, description = "why the edge is needed (shown to the approver)")
  String reason;

  @Option(names = {"-n", "--namespace"}, description = "where the request is filed (default: SRC's namespace)")
  String namespace;

  @Option(names = "--name", description = "the AccessRequest's name (default: from the edge, with a random suffix)")
  String name;

  @Option(names = "--kubeconfig", description = "kubeconfig file (default: KUBECONFIG or ~/.kube/config)")
  Path kubeconfig;

  @Override
  public Integer call() {
    AccessRequestSpec s = spec();
    String ns = namespace != null ? namespace : src.substring(0, src.indexOf('/'));
    if (!DNS_LABEL.matcher(ns).matches() || ns.length() > 63) {
      throw usage("--namespace: '" + ns + "' is not a namespace name");
    }
    String objectName = name != null ? name : defaultName(s);
    AccessRequest r = new AccessRequest();
    r.setMetadata(new ObjectMetaBuilder().withNamespace(ns).withName(objectName).build());
    r.setSpec(s);
    try (KubernetesClient client = client()) {
      AccessRequest created = client.resources(AccessRequest.class).inNamespace(ns).resource(r).create();
      var out = spec.commandLine().getOut();
      out.printf("accessrequest %s/%s created: %s -> %s %d/%s, waiting for an approver on the review page%n", ns,
          created.getMetadata().getName(), s.source, s.destination, s.port, s.protocol);
      out.printf("status: kubectl get accessrequest -n %s %s -o yaml%n", ns, created.getMetadata().getName());
      out.flush();
      return ExitCodes.OK;
    } catch (KubernetesClientException e) {
      String why = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
          : e.getMessage();
      if (e.getCode() == 401 || e.getCode() == 403) {
        throw new ApiClient.NoAccess("the Kubernetes API refused to create the AccessRequest in namespace '" + ns
            + "' (" + e.getCode() + "): " + why + " (your namespace's RoleBinding to palisade-developer grants it)");
      }
      throw new ApiClient.ApiError("the AccessRequest was not created (" + e.getCode() + "): " + why);
    }
  }

  /** The spec from the arguments, checked as the CRD checks it, so a typo is named before anything is sent. */
  AccessRequestSpec spec() {
    for (String[] end : new String[][] {{"SRC", src}, {"DST", dst}}) {
      if (end[1].length() > 330 || !END.matcher(end[1]).matches()) {
        throw usage(end[0] + ": '" + end[1] + "' is not a workload NS/KIND/NAME or a pod NS/POD");
      }
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
    String proto = pp.length == 2 ? pp[1].toUpperCase(Locale.ROOT) : "TCP";
    if (!proto.equals("TCP") && !proto.equals("UDP") && !proto.equals("SCTP")) {
      throw usage("protocol must be TCP, UDP or SCTP, not '" + pp[1] + "'");
    }
    if (reason.isBlank() || reason.length() > 1000) {
      throw usage("--reason: say in 1..1000 characters why the edge is needed");
    }
    AccessRequestSpec s = new AccessRequestSpec();
    s.source = src;
    s.destination = dst;
    s.port = port;
    s.protocol = proto;
    s.reason = reason.strip();
    return s;
  }

  /** {@code web-to-db-5432-x7k2p}: readable in kubectl get, unique enough to file the same edge twice. */
  static String defaultName(AccessRequestSpec s) {
    String base = (last(s.source) + "-to-" + last(s.destination)).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
    if (base.length() > 40) {
      base = base.substring(0, 40);
    }
    StringBuilder suffix = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      suffix.append("abcdefghijklmnopqrstuvwxyz0123456789".charAt(RANDOM.nextInt(36)));
    }
    return base.replaceAll("-+$", "") + "-" + s.port + "-" + suffix;
  }

  private static String last(String ref) {
    return ref.substring(ref.lastIndexOf('/') + 1);
  }

  private KubernetesClient client() {
    if (kubeconfig == null) {
      return new KubernetesClientBuilder().build();
    }
    try {
      Config c = Config.fromKubeconfig(null, Files.readString(kubeconfig), kubeconfig.toString());
      return new KubernetesClientBuilder().withConfig(c).build();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read --kubeconfig " + kubeconfig + ": " + e.getMessage(), e);
    }
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }
}
