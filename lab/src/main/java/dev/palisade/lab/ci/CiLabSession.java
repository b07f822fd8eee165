package dev.palisade.lab.ci;

import dev.palisade.controller.graph.FlowGraph.EdgeView;
import dev.palisade.lab.cluster.Lab;
import dev.palisade.lab.cluster.LabPalisade;
import dev.palisade.lab.cluster.LabScenarioTarget;
import dev.palisade.lab.scenario.Scenario;
import dev.palisade.lab.scenario.ScenarioTarget;
import dev.palisade.model.Identities;
import dev.palisade.model.Protocol;
import dev.palisade.model.workload.WorkloadResolver;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The side-effecting half of {@code palisade ci run}: one lab with Palisade, the app's manifests
 * applied file by file (a refused object names its file), every namespace in monitor mode, the
 * traffic made and each connection's outcome kept, commands run inside a pod, then a wait until
 * every connection that went through is in the controller's flow graph. Closing tears the lab down.
 */
final class CiLabSession implements AutoCloseable {
  private static final Duration READY = Duration.ofSeconds(120);
  private static final Duration IN_GRAPH = Duration.ofSeconds(30);
  private static final Set<String> SYSTEM_NAMESPACES = Set.of("kube-system", "kube-public", "kube-node-lease",
      "palisade-system");
  private static final Map<String, String> OWNER_API = Map.of("ReplicaSet", "apps/v1", "Deployment", "apps/v1",
      "StatefulSet", "apps/v1", "DaemonSet", "apps/v1", "Job", "batch/v1", "CronJob", "batch/v1");

  private final LabScenarioTarget target;
  private final PrintStream out;
  /** A failed edge's first client and server pod (ns/name): who judges it must know which pods. */
  private final Map<CiEdge, List<String>> failedPods = new LinkedHashMap<>();

  private final String labId;
  /** Tears the lab down when the JVM stops before {@link #close} (SIGTERM: the CI job was cancelled). */
  private final Thread teardownOnExit;
  private boolean closed;

  CiLabSession(String labId, PrintStream out) {
    this.target = new LabScenarioTarget(labId);
    this.out = out;
    this.labId = labId;
    this.teardownOnExit = new Thread(() -> {
      out.println("palisade ci: stopping before the run ended (SIGTERM?): tearing lab " + labId + " down");
      close();
    }, "palisade-ci-teardown");
    Runtime.getRuntime().addShutdownHook(teardownOnExit);
  }

  /** Everything the app did, as observed edges (failed connections included). */
  List<ObservedEdge> observe(CiRun.Inputs in) {
    long t0 = System.nanoTime();
    target.setUp(new Scenario("palisade-ci", "", "palisade ci", 1, List.of(), List.of(), null,
        Scenario.Outside.NONE, List.of()));
    Lab lab = target.lab();
    in.manifests().forEach((file, text) -> {
      try {
        lab.apply(text);
      } catch (RuntimeException e) {
        throw new CiInputException(file + ": the API server refused it: " + e.getMessage());
      }
    });
    lab.awaitReady(READY);
    for (var ns : lab.client().namespaces().list().getItems()) {
      String name = ns.getMetadata().getName();
      if (!SYSTEM_NAMESPACES.contains(name)) {
        target.perform(new Scenario.Step(0, "set-mode", Map.of("target", "namespace/" + name, "mode", "monitor"),
            List.of()));
      }
    }
    target.awaitConverged();
    long t1 = System.nanoTime();
    Map<CiEdge, String> firstBy = new LinkedHashMap<>();
    List<ObservedEdge> failed = new ArrayList<>();
    for (TrafficFile.Flow f : in.flows()) {
      traffic(f, firstBy, failed);
    }
    LabPalisade palisade = lab.palisade().orElseThrow();
    if (!in.execCommand().isEmpty()) {
      exec(in, palisade, firstBy);
    }
    long t2 = System.nanoTime();
    List<EdgeView> graph = awaitInGraph(palisade, firstBy.keySet());
    List<ObservedEdge> observed = new ArrayList<>(failed);
    for (EdgeView v : graph) {
      CiEdge e = edgeOf(v);
      if (e != null) {
        observed.add(new ObservedEdge(e, v.count(), 0, v.sourcePods(), firstBy.getOrDefault(e, ""), v.firstSeen()));
      }
    }
    out.printf("palisade ci: lab up %.1f s, traffic %.1f s, graph complete %.1f s later%n", (t1 - t0) / 1e9,
        (t2 - t1) / 1e9, (System.nanoTime() - t2) / 1e9);
    return observed;
  }

  /** Makes one entry's connections, as a scenario's traffic step does, but keeps failures as evidence. */
  private void traffic(TrafficFile.Flow f, Map<CiEdge, String> firstBy, List<ObservedEdge> failed) {
    List<String> sources;
    try {
      sources = target.resolvePods(f.from());
    } catch (RuntimeException e) {
      throw new CiInputException(f.origin() + ".from: " + e.getMessage());
    }
    for (int i = 0; i < f.count(); i++) {
      String src = sources.get(i % sources.size());
      String ip;
      int port = f.port();
      try {
        if (f.to().startsWith("service/")) {
          String[] p = f.to().split("/");
          ScenarioTarget.Endpoint ep = target.serviceEndpoint(p[1], p[2], f.port(), f.protocol());
          ip = ep.ip();
          port = ep.port();
        } else {
          List<String> dsts = target.resolvePods(f.to());
          ip = target.podIp(dsts.get(i % dsts.size()));
        }
      } catch (RuntimeException e) {
        throw new CiInputException(f.origin() + ".to: " + e.getMessage());
      }
      CiEdge edge = new CiEdge(vertexOf(src), vertexOf(podAt(ip)), port, Protocol.parse(f.protocol()));
      if (target.connect(src, ip, port, f.protocol())) {
        firstBy.putIfAbsent(edge, f.origin());
      } else {
        failed.add(new ObservedEdge(edge, 0, 1, List.of(src), f.origin()));
        failedPods.putIfAbsent(edge, List.of(src, podAt(ip)));
      }
    }
  }

  /** Runs the command in the pod's network namespace; edges that appear meanwhile are its. */
  private void exec(CiRun.Inputs in, LabPalisade palisade, Map<CiEdge, String> firstBy) {
    palisade.flushFlows(Duration.ofSeconds(10));
    Set<CiEdge> before = new TreeSet<>();
    palisade.controller().graph().edges().forEach(v -> Optional.ofNullable(edgeOf(v)).ifPresent(before::add));
    String origin = CiRun.EXEC_ORIGIN + in.execPod() + " -- " + String.join(" ", in.execCommand());
    String pod;
    try {
      pod = target.resolvePods(in.execPod()).get(0);
    } catch (RuntimeException e) {
      throw new CiInputException("--exec " + in.execPod() + ": " + e.getMessage());
    }
    out.println("palisade ci: running " + origin);
    int exit;
    try {
      exit = PodCommand.run(target.lab().network().pod(pod).ns().name(), in.execCommand(), in.execTimeout(), out);
    } catch (RuntimeException e) {
      throw new IllegalStateException(origin + " failed: " + e.getMessage(), e);
    }
    if (exit != 0) {
      // a failing test may be failing because a connection dropped: that is what the report tells
      out.println("palisade ci: " + origin + " exited " + exit + "; its connections are classified all the same");
    }
    palisade.flushFlows(Duration.ofSeconds(10));
    palisade.controller().graph().edges().forEach(v -> {
      CiEdge e = edgeOf(v);
      if (e != null && !before.contains(e)) {
        firstBy.putIfAbsent(e, origin);
      }
    });
  }

  /** Flushes the agents' flows until every connection that went through is an edge of the graph. */
  /** What the org's guardrails say of the edges, as the controller judged them (after {@link #observe}). */
  OrgGuardrails guardrails() {
    String graph = target.lab().palisade().orElseThrow().controller().judgedGraphJson();
    OrgGuardrails learned = OrgGuardrails.fromGraphJson(tools.jackson.databind.json.JsonMapper.builder().build()
        .readTree(graph));
    // a connection an Admin Deny dropped never reached the graph: judged here, by the same rules
    var client = target.lab().client();
    List<dev.palisade.model.cnp.ClusterNetworkPolicy> policies = new ArrayList<>();
    for (var o : dev.palisade.lab.cluster.ClusterPolicies.all(client)) {
      try {
        policies.add(dev.palisade.model.cnp.ClusterNetworkPolicyReader.read(o));
      } catch (RuntimeException e) {
        // not enforced by the agents either
      }
    }
    Map<CiEdge, String> forbidden = new LinkedHashMap<>(learned.forbidden());
    var namespaces = client.namespaces().list().getItems();
    failedPods.forEach((edge, pods) -> {
      Pod c = pod(pods.get(0));
      Pod s = pod(pods.get(1));
      var j = c == null || s == null ? null : dev.palisade.dataplane.netpol.AdminTierJudge.judge(policies, namespaces,
          c, s, edge.protocol(), edge.port());
      if (j != null && j.deny() != null) {
        forbidden.put(edge, OrgGuardrails.ORIGIN + j.deny().text());
      }
    });
    return new OrgGuardrails(learned.accepted(), forbidden);
  }

  private Pod pod(String key) {
    String[] p = key.split("/", 2);
    return target.lab().client().pods().inNamespace(p[0]).withName(p[1]).get();
  }

  private List<EdgeView> awaitInGraph(LabPalisade palisade, Set<CiEdge> made) {
    long deadline = System.nanoTime() + IN_GRAPH.toNanos();
    while (true) {
      palisade.flushFlows(Duration.ofSeconds(10));
      List<EdgeView> graph = palisade.controller().graph().edges();
      Set<CiEdge> missing = new TreeSet<>(made);
      graph.forEach(v -> Optional.ofNullable(edgeOf(v)).ifPresent(missing::remove)); // noise has no edge
      if (missing.isEmpty()) {
        return graph;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("connections the traffic made are not in the flow graph after " + IN_GRAPH
            + ": " + missing.stream().map(CiEdge::text).toList());
      }
    }
  }

  /** An edge of the app, or null for the lab's own noise (kubelet probes from the node, DNS). */
  private static CiEdge edgeOf(EdgeView v) {
    String src = v.key().source();
    String dst = v.key().destination();
    if (src.equals(Identities.reservedName(Identities.HOST)) || dst.startsWith("kube-system/")
        || src.startsWith("kube-system/")) {
      return null;
    }
    return new CiEdge(src, dst, v.key().port(), v.key().protocol());
  }

  private String podAt(String ip) {
    for (Pod p : target.lab().pods()) {
      String ns = p.getMetadata().getNamespace();
      String name = p.getMetadata().getName();
      if (ip.equals(target.lab().runtime().ipOf(ns, name))) {
        return ns + "/" + name;
      }
    }
    throw new IllegalStateException("no pod has address " + ip);
  }

  /** The workload vertex of a pod (ns/name), as the controller names it. */
  private String vertexOf(String pod) {
    String[] p = pod.split("/", 2);
    Pod obj = target.lab().client().pods().inNamespace(p[0]).withName(p[1]).get();
    if (obj == null) {
      throw new IllegalStateException("pod " + pod + " is gone");
    }
    return new WorkloadResolver((ns, kind, name) -> Optional.ofNullable(OWNER_API.get(kind))
        .map(api -> (HasMetadata) target.lab().client().genericKubernetesResources(api, kind).inNamespace(ns)
            .withName(name).get())).workloadOf(obj).toString();
  }

  /**
   * Tears the lab down once, from the run or from the shutdown hook (synchronized: the hook waits
   * for a teardown the run has begun, since the JVM halts when the hooks return). After the lab's own
   * close, whatever of its namespaces is left (a lab cut off while it was being made has no object
   * to close yet) is reaped with the processes inside, by its id.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      target.close();
    } finally {
      if (labId != null) {
        reapLeftovers();
      }
      try {
        Runtime.getRuntime().removeShutdownHook(teardownOnExit);
      } catch (IllegalStateException shuttingDown) {
        // called from the hook itself, or while the JVM stops: nothing to remove
      }
    }
  }

  /** A run still making its lab may add a namespace just after a reap: reaped until none is left (bounded). */
  private void reapLeftovers() {
    for (int i = 0; i < 5; i++) {
      try {
        if (dev.palisade.lab.net.LabNetwork.reap(labId) == 0) {
          return;
        }
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        out.println("palisade ci: lab " + labId + " teardown: " + e.getMessage());
        return;
      }
    }
  }
}
