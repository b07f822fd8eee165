package dev.palisade.controller.events;

import dev.palisade.controller.events.EventCorrelator.Key;
import dev.palisade.controller.events.EventCorrelator.Write;
import dev.palisade.model.DropEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops and would-drops the agents report -> Kubernetes Events a developer sees in their own
 * namespace ({@code kubectl get events -n NS}): one on the client workload and one on the server
 * workload, Warning for a drop and Normal for monitor's would-drop, naming the edge, the mode, the
 * deciding layer and how to request the edge. Aggregated and rate-limited by
 * {@link EventCorrelator} (burst 25, one write per 400 ms: 10,000 drops in 10 s cost at most 50
 * writes). A peer in another namespace is named by its namespace only: nothing about another
 * namespace's workloads leaks into an Event a namespace's users can read.
 *
 * <p>{@link #observe} only does bookkeeping (the controller calls it on its loop); writes go to
 * the {@link EventSink} on this class's own thread, and a timer flushes counts held back by the
 * bucket.
 */
public final class DropEvents implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DropEvents.class);
  public static final String DROPPED = "ConnectionDropped";
  public static final String WOULD_DROP = "ConnectionWouldDrop";
  static final int BURST = 25;
  static final long REFILL_MILLIS = 400;
  static final int MAX_KEYS = 4096;

  /** Where writes go: the API server, or a fake in tests. */
  public interface EventSink {
    /** Create the Event (or, if it exists already, set its count and lastTimestamp). */
    void create(Write w, String message);

    void patch(Write w);

    /** namespace/name of the NetworkPolicies isolating pod NS/NAME in that direction (read at create time only). */
    default List<String> isolatingPolicies(String pod, boolean ingress) {
      return List.of();
    }
  }

  private final EventCorrelator correlator;
  private final EventSink sink;
  private final LongSupplier clock;
  private final ScheduledExecutorService writer;
  /** For NetworkPolicy drops: a pod of the isolated end, to name the policies when the Event is created. */
  private final Map<Key, String> isolatedPod = java.util.Collections.synchronizedMap(new LinkedHashMap<>() {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Key, String> eldest) {
      return size() > MAX_KEYS;
    }
  });

  public DropEvents(EventSink sink) {
    this(sink, System::currentTimeMillis, true);
  }

  DropEvents(EventSink sink, LongSupplier clock, boolean ownThread) {
    this.correlator = new EventCorrelator(BURST, REFILL_MILLIS, MAX_KEYS);
    this.sink = sink;
    this.clock = clock;
    if (ownThread) {
      writer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "palisade-drop-events");
        t.setDaemon(true);
        return t;
      });
      writer.scheduleWithFixedDelay(this::flush, 1, 1, TimeUnit.SECONDS);
    } else {
      writer = null;
    }
  }

  /**
   * One reported drop between graph vertices {@code src} and {@code dst} (NS/KIND/NAME, or a
   * reserved name such as world, which gets no Event); {@code rejected}: the edge is rejected in
   * review. Returns the writes it caused (run on the writer thread, or at once without one).
   */
  public List<Write> observe(DropEvent d, String src, String dst, boolean rejected) {
    List<Write> writes = new ArrayList<>();
    long now = clock.getAsLong();
    boolean ingress = "in".equals(d.direction());
    String isolated = ingress ? dst : src;
    String pod = ingress ? d.destinationPod() : d.sourcePod();
    for (Key k : keys(d, src, dst, rejected)) {
      // the policy's name only in its own namespace's Events: another namespace's policies do not leak
      if (k.layer().equals("NetworkPolicy") && pod != null && isolated.startsWith(k.namespace() + "/")) {
        isolatedPod.put(k, pod);
      }
      writes.addAll(correlator.observe(k, now));
    }
    run(writes);
    return writes;
  }

  /** Writes the counts the bucket held back, as far as it allows now. */
  public List<Write> flush() {
    List<Write> writes = correlator.flush(clock.getAsLong());
    run(writes);
    return writes;
  }

  int aggregates() {
    return correlator.size();
  }

  /** The Events one drop is about: client side and server side, each in its own namespace. */
  static List<Key> keys(DropEvent d, String src, String dst, boolean rejected) {
    String type = d.wouldDrop() ? "Normal" : "Warning";
    String reason = d.wouldDrop() ? WOULD_DROP : DROPPED;
    String layer = switch (d.kind()) {
      case "np" -> "NetworkPolicy";
      default -> rejected ? "rejected" : "not approved";
    };
    String mode = d.kind().equals("monitor") ? "monitor" : d.kind().equals("enforce") ? "enforce" : "any";
    List<Key> out = new ArrayList<>();
    for (String self : new String[] {src, dst}) {
      String[] p = self.split("/");
      if (p.length != 3) {
        continue; // world, host, unknown: nothing to put an Event on
      }
      String edge = shown(src, p[0]) + " -> " + shown(dst, p[0]) + " " + d.port() + "/" + d.protocol().name();
      Key k = new Key(p[0], self, type, reason, edge, mode, layer, d.direction());
      if (!out.contains(k)) {
        out.add(k);
      }
    }
    return out;
  }

  /**
   * The Event's message: edge, mode, deciding layer (with the NetworkPolicies' names when known),
   * how to request it.
   */
  public static String message(Key k, List<String> policies) {
    boolean both = !k.edge().contains("*");
    String[] w = k.edge().replace(" -> ", " ").split(" ");
    String edgeWords = w[0] + " " + w[1] + " " + w[2];
    String verb = k.reason().equals(WOULD_DROP) ? "would be dropped (mode monitor; enforce would drop it)"
        : "dropped" + (k.mode().equals("enforce") ? " (mode enforce)" : "");
    String how = switch (k.layer()) {
      case "NetworkPolicy" -> "a NetworkPolicy isolates the " + ("in".equals(k.direction()) ? "server" : "client")
          + " and none of its rules matches: the policy's owners must allow it";
      case "rejected" -> "it was rejected in review; to ask again: "
          + (both ? request(edgeWords) : "an access request on the review page");
      default -> "request it: " + (both ? request(edgeWords) : "an access request on the review page");
    };
    String layer = policies.isEmpty() ? k.layer() : k.layer() + " " + String.join(", ", policies);
    return k.edge() + " " + verb + ", decided by: " + layer + ". To allow it: " + how
        + (both ? ". Details: palisade why " + edgeWords : "");
  }

  /** The command that files an AccessRequest for the edge (SRC DST PORT/PROTO), for an approver to decide. */
  public static String request(String edgeWords) {
    return "palisade request " + edgeWords + " --reason \"WHY\"";
  }

  /** A vertex as an Event in {@code namespace} may show it: other namespaces' workloads by namespace only. */
  private static String shown(String vertex, String namespace) {
    String[] p = vertex.split("/");
    if (p.length != 3) {
      return vertex;
    }
    return p[0].equals(namespace) ? vertex : p[0] + "/*";
  }

  private void run(List<Write> writes) {
    if (writes.isEmpty()) {
      return;
    }
    if (writer == null) {
      writes.forEach(this::write);
    } else {
      writer.execute(() -> writes.forEach(this::write));
    }
  }

  private void write(Write w) {
    try {
      if (w.create()) {
        String pod = w.key().layer().equals("NetworkPolicy") ? isolatedPod.get(w.key()) : null;
        sink.create(w, message(w.key(), pod == null ? List.of()
            : sink.isolatingPolicies(pod, "in".equals(w.key().direction()))));
      } else {
        sink.patch(w);
      }
    } catch (RuntimeException e) {
      LOG.warn("could not write the Event for {} in {}: {}", w.key().involved(), w.key().namespace(), e.getMessage());
      correlator.failed(w);
    }
  }

  @Override
  public void close() {
    if (writer != null) {
      writer.shutdownNow();
    }
  }
}
