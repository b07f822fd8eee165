package dev.palisade.lab.daemon;

import dev.palisade.dataplane.podstart.CniPluginBuild;
import dev.palisade.dataplane.podstart.CniPluginExec;
import dev.palisade.dataplane.podstart.PodStart;
import dev.palisade.dataplane.podstart.PodStartClient;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the process lab's kubelet runs at a pod start, before the pod's network exists: the node's
 * CNI plugin binary (cni/palisade-cni.c, built from the jar's source by the agent image's build
 * script) in a chained ADD, as a cluster's container runtime would, so that the lab exercises the
 * plugin nodes run and not a Java stand-in. Only on a machine without gcc does it send the same
 * line from Java ({@link PodStartClient}) instead, and says so; with CI=true it refuses to, so CI
 * never passes without running the plugin.
 *
 * <p>Either way the caller gets the agent's own time: PodStartClient reads it from the answer, the
 * plugin passes it on in its stderr line (a CNI result has no field for it).
 */
final class KubeletCni {
  private static final Logger LOG = LoggerFactory.getLogger(KubeletCni.class);

  /** The plugin binary; null: PodStartClient. */
  private final Path plugin;
  private final String description;

  private KubeletCni(Path plugin, String description) {
    this.plugin = plugin;
    this.description = description;
  }

  /** Builds the plugin into {@code dir} when this machine can. */
  static KubeletCni prepare(Path dir) {
    var missing = CniPluginBuild.missingCompiler();
    if (missing.isEmpty()) {
      CniPluginBuild.Built built = CniPluginBuild.build(dir);
      LOG.info("the lab's kubelet runs the CNI plugin {}", built.how());
      return new KubeletCni(built.binary(), "the CNI plugin binary palisade-cni (" + built.how() + ")");
    }
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new IllegalStateException("CI=true but the lab cannot build its CNI plugin: " + missing.get());
    }
    LOG.warn("the lab's kubelet tells the agents of pod starts from Java (PodStartClient), not through the CNI "
        + "plugin: {}", missing.get());
    return new KubeletCni(null, "PodStartClient, from Java (" + missing.get() + ")");
  }

  /** Returns once the agent on {@code socket} covers the pod, with the agent's own time in nanoseconds; throws otherwise. */
  long podStarting(PodStart pod, Path socket, Duration timeout) {
    return plugin != null ? CniPluginExec.add(plugin, pod, socket, timeout)
        : PodStartClient.announce(socket, pod, timeout);
  }

  /** What calls the agents, for a benchmark's text. */
  String description() {
    return description;
  }
}
