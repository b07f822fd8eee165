package dev.palisade.dataplane.podstart;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs the CNI plugin binary (cni/palisade-cni.c) as a container runtime does (libcni's exec): the
 * operation and its parameters in CNI_* variables, the network configuration on stdin, the result
 * or the error on stdout. {@link #add} is a chained ADD after the network plugin gave the pod its
 * address, which is what the process lab's kubelet does at each pod start.
 */
public final class CniPluginExec {
  /** The plugin's stderr line after "ok": the agent's own time, for which a CNI result has no field. */
  private static final Pattern COVERED = Pattern.compile("(?m)^palisade-cni: ADD \\S+ \\S+ covered: agent (\\d+) ns$");
  /** Past the plugin's own deadline: its exec and exit on a loaded machine. Later, it is killed. */
  private static final Duration GRACE = Duration.ofSeconds(5);
  private static final ScheduledExecutorService KILLS = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "cni-plugin-deadlines");
    t.setDaemon(true);
    return t;
  });

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private CniPluginExec() {}

  /** How one call ended: the exit code and what the plugin wrote. */
  public record Outcome(int exit, String stdout, String stderr) {
    public boolean succeeded() {
      return exit == 0;
    }
  }

  /**
   * One call of {@code plugin} with CNI_COMMAND {@code command}, the variables {@code env} and
   * {@code stdin}. The plugin sees PATH and these alone, nothing else of this JVM's environment;
   * it is killed (and this throws) when it has not ended within {@code limit}.
   */
  public static Outcome run(Path plugin, String command, Map<String, String> env, String stdin, Duration limit) {
    ProcessBuilder pb = new ProcessBuilder(plugin.toString());
    Map<String, String> environment = pb.environment();
    String path = environment.getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
    environment.clear();
    environment.put("PATH", path);
    environment.putAll(env);
    environment.put("CNI_COMMAND", command);
    AtomicBoolean killed = new AtomicBoolean();
    try {
      Process p = pb.start();
      ScheduledFuture<?> kill = KILLS.schedule(() -> {
        killed.set(true);
        p.destroyForcibly();
      }, limit.toNanos(), TimeUnit.NANOSECONDS);
      try {
        try (OutputStream in = p.getOutputStream()) {
          in.write(stdin.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
          // the plugin ended before it read everything (it refuses an endless input): its output says why
        }
        String[] stderr = {""};
        Thread errors = new Thread(() -> stderr[0] = readAll(p.getErrorStream()), "cni-plugin-stderr");
        errors.setDaemon(true);
        errors.start();
        String stdout = readAll(p.getInputStream());
        int exit = p.waitFor();
        errors.join();
        if (killed.get()) {
          throw new IllegalStateException(plugin.getFileName() + " " + command + " did not end within " + limit
              + ": killed");
        }
        return new Outcome(exit, stdout, stderr[0]);
      } finally {
        kill.cancel(false);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run the CNI plugin " + plugin + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for the CNI plugin " + plugin, e);
    }
  }

  /**
   * A chained ADD of {@code pod}, told the agent on {@code socket} and waiting up to {@code timeout}
   * for it. Returns the agent's own time for it in nanoseconds (from the plugin's stderr line);
   * throws IllegalStateException, with the plugin's error result, when the pod may not start.
   */
  public static long add(Path plugin, PodStart pod, Path socket, Duration timeout) {
    Outcome o = run(plugin, "ADD", addEnvironment(pod, plugin.toAbsolutePath().getParent()),
        networkConfig(socket, timeout, prevResult(pod.ip())), timeout.plus(GRACE));
    if (!o.succeeded()) {
      throw new IllegalStateException("pod start " + pod.line() + ": the CNI plugin failed the ADD (exit " + o.exit()
          + "): " + o.stdout().strip());
    }
    Matcher m = COVERED.matcher(o.stderr());
    if (!m.find()) {
      throw new IllegalStateException("pod start " + pod.line() + ": the CNI plugin succeeded without its line on "
          + "stderr: '" + o.stderr().strip() + "'");
    }
    return Long.parseLong(m.group(1));
  }

  /**
   * The variables a runtime sets for ADD, the pod named in CNI_ARGS as kubelet names it. The plugin
   * reads neither the container id nor the namespace path: made up here from the pod's name.
   */
  public static Map<String, String> addEnvironment(PodStart pod, Path pluginDir) {
    Map<String, String> env = new HashMap<>();
    String container = "palisade-" + pod.namespace() + "-" + pod.name();
    env.put("CNI_CONTAINERID", container);
    env.put("CNI_NETNS", "/var/run/netns/" + container);
    env.put("CNI_IFNAME", "eth0");
    env.put("CNI_PATH", pluginDir.toString());
    env.put("CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAMESPACE=" + pod.namespace() + ";K8S_POD_NAME=" + pod.name()
        + ";K8S_POD_INFRA_CONTAINER_ID=" + container);
    return env;
  }

  /** The plugin's network configuration: its socket and timeout (whole seconds, 1..300), after this prevResult. */
  public static String networkConfig(Path socket, Duration timeout, String prevResult) {
    long seconds = Math.max(1, Math.min(300, (timeout.toMillis() + 999) / 1000));
    return "{\"cniVersion\":\"1.0.0\",\"name\":\"palisade\",\"type\":\"palisade-cni\",\"socket\":"
        + quoted(socket.toAbsolutePath().toString()) + ",\"timeoutSeconds\":" + seconds
        + (prevResult == null ? "" : ",\"prevResult\":" + prevResult) + "}";
  }

  /** A network plugin's 1.0.0 result for a pod with this IPv4 address (a /32 on eth0, as the lab wires it). */
  public static String prevResult(String ipv4) {
    return "{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"eth0\"}],\"ips\":[{\"address\":" + quoted(ipv4 + "/32")
        + ",\"interface\":0}]}";
  }

  /** s as a JSON string. */
  static String quoted(String s) {
    return JSON.writeValueAsString(s);
  }

  private static String readAll(java.io.InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return ""; // killed: run() says so
    }
  }
}
