package dev.palisade.cli;

import dev.palisade.lab.tls.LabCertificates;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code palisade tls}: a CA and a controller certificate for a cluster without cert-manager, as
 * the lab makes its own ({@link LabCertificates}): the three files the Secret
 * palisade-controller-tls and the ConfigMap palisade-controller-ca hold. The CA's key is not kept,
 * so renewing means running it again and replacing both objects.
 */
@Command(name = "tls", description = "Write a CA and a controller certificate (ca.crt, tls.crt, tls.key) for the "
    + "Secret palisade-controller-tls and the ConfigMap palisade-controller-ca.")
final class TlsCommand implements Callable<Integer> {
  @Option(names = "--out", required = true, description = "directory to write ca.crt, tls.crt and tls.key (0600) into")
  Path out;

  @Option(names = "--name", description = "a DNS name or IP address of the controller (repeatable; default: "
      + "localhost, 127.0.0.1 and the palisade-controller Service in palisade-system)")
  List<String> names;

  @Override
  public Integer call() {
    LabCertificates.Issued files = LabCertificates.write(out,
        names == null || names.isEmpty() ? LabCertificates.CONTROLLER_NAMES : names);
    System.out.println("wrote " + files.ca() + ", " + files.cert() + ", " + files.key());
    System.out.println("  kubectl -n palisade-system create secret tls palisade-controller-tls --cert=" + files.cert()
        + " --key=" + files.key());
    System.out.println("  kubectl -n palisade-system create configmap palisade-controller-ca --from-file=ca.crt="
        + files.ca());
    return 0;
  }
}
