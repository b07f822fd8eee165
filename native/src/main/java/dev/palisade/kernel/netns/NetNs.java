package dev.palisade.kernel.netns;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;

/**
 * A named network namespace (as {@code ip netns add} makes it, under /run/netns) with one
 * dedicated thread that has entered it. {@link #call} runs an action on that thread, so one
 * process can program several lab nodes: a socket, a libnftables context or a conntrack handle
 * created there belongs to the namespace for life, whichever thread uses it later.
 *
 * <p>Only namespaces whose names start with {@code pal-} are created or deleted here, so nothing
 * this code did not make is ever touched.
 */
public final class NetNs implements AutoCloseable {
  public static final String PREFIX = "pal-";
  private static final Path RUN_NETNS = Path.of("/run/netns");
  private static final Pattern VALID_NAME = Pattern.compile("pal-[a-z0-9][a-z0-9.-]{0,40}");

  private final String name;
  private final ExecutorService thread;

  private NetNs(String name) {
    this.name = name;
    this.thread = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "netns-" + name);
      t.setDaemon(true);
      return t;
    });
    try {
      thread.submit(() -> enter(name)).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      thread.shutdownNow();
      throw new IllegalStateException("interrupted entering netns " + name, e);
    } catch (ExecutionException e) {
      thread.shutdownNow();
      throw new IllegalStateException("cannot enter netns " + name + ": " + e.getCause().getMessage(), e.getCause());
    }
  }

  /** Creates the namespace (failing if it exists) with loopback up, and attaches to it. */
  public static NetNs create(String name) {
    checkName(name);
    Commands.run("ip", "netns", "add", name);
    Commands.run("ip", "-n", name, "link", "set", "lo", "up");
    return new NetNs(name);
  }

  /** Attaches to an existing namespace. */
  public static NetNs attach(String name) {
    checkName(name);
    if (!Files.exists(RUN_NETNS.resolve(name))) {
      throw new IllegalArgumentException("network namespace " + name + " does not exist");
    }
    return new NetNs(name);
  }

  public String name() {
    return name;
  }

  /** Runs the action on this namespace's thread and returns its result (exceptions pass through). */
  public <T> T call(Callable<T> action) {
    Future<T> f = thread.submit(action);
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted in netns " + name, e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException re) throw re;
      if (c instanceof Error err) throw err;
      throw new IllegalStateException("in netns " + name + ": " + c.getMessage(), c);
    }
  }

  public void run(Runnable action) {
    call(() -> {
      action.run();
      return null;
    });
  }

  /** Runs a command inside this namespace ({@code ip netns exec}); returns stdout. */
  public String exec(String... command) {
    String[] full = new String[command.length + 4];
    full[0] = "ip"; full[1] = "netns"; full[2] = "exec"; full[3] = name;
    System.arraycopy(command, 0, full, 4, command.length);
    return Commands.run(full);
  }

  /** Stops the namespace's thread; the namespace itself stays (see {@link #delete}). */
  @Override
  public void close() {
    thread.shutdownNow();
  }

  /** Stops the thread and deletes the namespace (its veth ends go with it). */
  public void delete() {
    close();
    delete(name);
  }

  public static void delete(String name) {
    checkName(name);
    Commands.runAllowingFailure("ip", "netns", "delete", name);
  }

  public static boolean exists(String name) {
    return Files.exists(RUN_NETNS.resolve(name));
  }

  /**
   * Creates a veth pair with one end in each namespace (both up). Names are interface names
   * (at most 15 characters); deleting either namespace removes the pair.
   */
  public static void vethPair(String nsA, String ifA, String nsB, String ifB) {
    checkName(nsA);
    checkName(nsB);
    Commands.run("ip", "link", "add", ifA, "netns", nsA, "type", "veth", "peer", "name", ifB, "netns", nsB);
    Commands.run("ip", "-n", nsA, "link", "set", ifA, "up");
    Commands.run("ip", "-n", nsB, "link", "set", ifB, "up");
  }

  /** Names of existing namespaces that start with the given prefix (which must start with pal-). */
  public static List<String> list(String prefix) {
    if (!prefix.startsWith(PREFIX)) {
      throw new IllegalArgumentException("prefix must start with " + PREFIX + ": " + prefix);
    }
    List<String> names = new ArrayList<>();
    try (var entries = Files.list(RUN_NETNS)) {
      entries.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix)).sorted().forEach(names::add);
    } catch (java.nio.file.NoSuchFileException e) {
      return names;
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot list " + RUN_NETNS + ": " + e.getMessage(), e);
    }
    return names;
  }

  /** Deletes every namespace with the prefix: the reaper for leftovers of a killed run. */
  public static int deleteAll(String prefix) {
    List<String> names = list(prefix);
    names.forEach(NetNs::delete);
    return names.size();
  }

  private static void checkName(String name) {
    if (name == null || !VALID_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "network namespace name must match " + VALID_NAME.pattern() + ": " + name);
    }
  }

  private static Void enter(String name) {
    LibC libc = LibC.INSTANCE;
    int fd = libc.open(RUN_NETNS.resolve(name).toString(), LibC.O_RDONLY | LibC.O_CLOEXEC);
    if (fd < 0) {
      int errno = jnr.ffi.LastError.getLastError(jnr.ffi.Runtime.getRuntime(libc));
      throw new IllegalStateException("open /run/netns/" + name + ": " + libc.strerror(errno));
    }
    try {
      if (libc.setns(fd, LibC.CLONE_NEWNET) != 0) {
        int errno = jnr.ffi.LastError.getLastError(jnr.ffi.Runtime.getRuntime(libc));
        throw new IllegalStateException("setns " + name + ": " + libc.strerror(errno));
      }
    } finally {
      libc.close(fd);
    }
    return null;
  }
}
