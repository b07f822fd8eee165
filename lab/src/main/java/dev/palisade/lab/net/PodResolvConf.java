package dev.palisade.lab.net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * A pod's /etc/resolv.conf, as the kubelet writes it for {@code dnsPolicy: ClusterFirst}: the
 * cluster DNS Service's IP, the search path of the pod's namespace, ndots 5. It lives in
 * {@code /etc/netns/<network namespace>/resolv.conf}, which {@code ip netns exec} bind-mounts over
 * /etc/resolv.conf for whatever it starts in the pod, so tools run in a pod resolve cluster names
 * as they would in a cluster.
 */
public final class PodResolvConf {
  static final Path ETC_NETNS = Path.of("/etc/netns");
  public static final String NAMESERVER = "10.96.0.10";

  private PodResolvConf() {}

  /** The file's text for a pod in this Kubernetes namespace. */
  public static String text(String namespace) {
    return "nameserver " + NAMESERVER + "\n"
        + "search " + namespace + ".svc.cluster.local svc.cluster.local cluster.local\n"
        + "options ndots:5\n";
  }

  public static void write(String netns, String namespace) {
    Path dir = ETC_NETNS.resolve(netns);
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("resolv.conf"), text(namespace));
    } catch (IOException e) {
      throw new IllegalStateException("cannot write " + dir.resolve("resolv.conf") + ": " + e.getMessage(), e);
    }
  }

  /** Removes the pod's directory; absent is fine. */
  public static void remove(String netns) {
    Path dir = ETC_NETNS.resolve(netns);
    try {
      Files.deleteIfExists(dir.resolve("resolv.conf"));
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      // a directory someone added files to: leave it, it does no harm
    }
  }

  /** Removes the directories of every namespace with this prefix (leftovers of a killed lab). */
  public static void removeAll(String prefix) {
    if (!Files.isDirectory(ETC_NETNS)) {
      return;
    }
    try (Stream<Path> dirs = Files.list(ETC_NETNS)) {
      dirs.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix)).forEach(PodResolvConf::remove);
    } catch (IOException e) {
      // nothing to reap then
    }
  }
}
