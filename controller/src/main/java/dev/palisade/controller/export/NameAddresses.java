package dev.palisade.controller.export;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The current IPv4 addresses of DNS names, as the controller's resolver answers now, for a
 * NetworkPolicy export (NetworkPolicy cannot say names, only addresses). In a cluster the
 * controller resolves through the cluster DNS, as the pods do. Bounded: at most
 * {@value #MAX_NAMES} names, each given {@code timeout}; a name that does not resolve in time is
 * left out of the map (and the export says so). Never called on the controller's loop thread.
 */
public final class NameAddresses {
  static final int MAX_NAMES = 64;

  /** How a name is looked up: the system resolver, or a fake in tests. */
  public interface Lookup {
    List<String> ipv4(String name) throws UnknownHostException;
  }

  /** The JVM's resolver (the process's /etc/resolv.conf). */
  public static final Lookup SYSTEM = name -> Arrays.stream(InetAddress.getAllByName(name))
      .filter(a -> a instanceof Inet4Address).map(InetAddress::getHostAddress).sorted().distinct().toList();

  private NameAddresses() {}

  /** Each name (no patterns) that resolved to at least one IPv4 address, to its sorted addresses. */
  public static Map<String, List<String>> resolve(Set<String> names, Lookup lookup, Duration timeout) {
    List<String> todo = new ArrayList<>(new TreeSet<>(names)).stream().filter(n -> !n.startsWith("*."))
        .limit(MAX_NAMES).toList();
    Map<String, List<String>> out = new LinkedHashMap<>();
    if (todo.isEmpty()) {
      return out;
    }
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(8, todo.size()), r -> {
      Thread t = new Thread(r, "palisade-export-dns");
      t.setDaemon(true); // a resolver that never answers must not hold the process
      return t;
    });
    try {
      Map<String, CompletableFuture<List<String>>> pending = new LinkedHashMap<>();
      for (String n : todo) {
        pending.put(n, CompletableFuture.supplyAsync(() -> {
          try {
            return lookup.ipv4(n);
          } catch (UnknownHostException e) {
            return List.of();
          }
        }, pool));
      }
      long deadline = System.nanoTime() + timeout.toNanos();
      for (var e : pending.entrySet()) {
        try {
          List<String> a = e.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
          if (!a.isEmpty()) {
            out.put(e.getKey(), List.copyOf(a));
          }
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException ex) {
          // left out: the export names it among the names it could not resolve
        } catch (InterruptedException ex) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }
}
