package dev.palisade.controller.service;

import dev.palisade.controller.access.ControllerAccess;
import dev.palisade.controller.api.ApiException;
import dev.palisade.controller.api.ApiRequest;
import dev.palisade.controller.api.ApiResponse;
import dev.palisade.controller.api.ApiServer;
import dev.palisade.controller.api.Authenticator;
import dev.palisade.controller.api.Role;
import dev.palisade.controller.api.Router;
import dev.palisade.controller.tls.ServerTls;
import dev.palisade.controller.approved.ApprovedGraphWatch;
import dev.palisade.controller.guardrail.Guardrail;
import dev.palisade.controller.guardrail.Guardrails;
import dev.palisade.controller.compile.AllowListCompiler;
import dev.palisade.controller.netpol.PolicyProblemReporter;
import dev.palisade.controller.publish.AllowListPublisher;
import dev.palisade.controller.publish.Backoff;
import dev.palisade.controller.publish.PublishedObjects;
import dev.palisade.controller.publish.Tamper;
import dev.palisade.controller.ingest.FlowVetting;
import dev.palisade.controller.persist.LearnedFlowsWriter;
import dev.palisade.controller.events.DropEvents;
import dev.palisade.controller.events.KubeEventSink;
import dev.palisade.controller.review.AuditLog;
import dev.palisade.controller.request.AccessRequestCheck;
import dev.palisade.controller.request.AccessRequestEndpoints;
import dev.palisade.controller.request.AccessRequestQueue;
import dev.palisade.controller.review.EdgeDecisions;
import dev.palisade.model.crd.AccessRequest;
import dev.palisade.controller.review.ModeAudit;
import dev.palisade.controller.review.PageAssets;
import dev.palisade.controller.review.ReviewEndpoints;
import dev.palisade.controller.review.ReviewRequest;
import dev.palisade.controller.review.Snapshots;
import dev.palisade.controller.graph.EdgeStatus;
import dev.palisade.controller.graph.FlowEdge.EdgeKey;
import dev.palisade.controller.graph.FlowGraph;
import dev.palisade.controller.graph.FlowGraph.EdgeView;
import dev.palisade.controller.identity.IdentityAllocator;
import dev.palisade.controller.metrics.ControllerMetrics;
import dev.palisade.model.FlowReport;
import dev.palisade.model.json.DropReportJson;
import dev.palisade.model.Identities;
import dev.palisade.model.Mode;
import dev.palisade.model.Protocol;
import dev.palisade.model.WorkloadRef;
import dev.palisade.model.crd.AllowList;
import dev.palisade.model.crd.ApprovedGraph;
import dev.palisade.model.crd.ClusterDefaults;
import dev.palisade.model.crd.LearnedFlows;
import dev.palisade.model.crd.LearnedFlowsSpec;
import dev.palisade.model.crd.SegmentationMode;
import dev.palisade.model.crd.WorkloadIdentity;
import dev.palisade.model.json.FlowReportJson;
import dev.palisade.model.workload.ModeResolver;
import dev.palisade.model.workload.WorkloadResolver;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * The controller, wired. All state changes run on one loop thread, in the order events arrive. Its
 * informers are of the kinds {@link ControllerAccess} declares, the source of its RBAC manifest.
 *
 * <pre>
 *  informers: pods, replicasets, jobs ----> WorkloadResolver -> IdentityAllocator -> WorkloadIdentity CRs
 *             SegmentationMode, palisade.dev/mode on namespaces and root owners
 *                                      ----> ModeResolver ----+
 *             services, endpointslices, serviceaccounts, networkpolicies (sync gate; DNS noise)
 *  POST /v1/flows (agents) ---------------> FlowGraph --------+--> AllowListCompiler -> PublishedObjects -> AllowList CRs
 *  POST /v1/review (approvers) --> EdgeDecisions:         |          (revision R)  (retried; deleted or edited
 *     audit entry first (the commit point), then FlowGraph +                        ones written back)
 *  --default-mode ---------------------------------------------------------------> ConfigMap palisade-defaults
 *  POST /v1/drops (agents) --> DropEvents (Events on both ends), PolicyReportWriter (PolicyReport per namespace)
 *  FlowGraph changes --> LearnedFlowsWriter --> LearnedFlows CRs (batched: about 1 write/s per source; retried)
 *  start: LearnedFlows + WorkloadIdentity restored, then the audit log's decisions replayed over them
 * </pre>
 *
 * Nothing is written until every informer has synced and the persisted identities and edges are
 * restored, so a restart never renumbers a workload or forgets an approval.
 */
public final class PalisadeController implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PalisadeController.class);
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final int MAX_BODY = 4 * 1024 * 1024;
  /** Health needs no token: kubelet probes carry none. */
  public static final java.util.function.Predicate<String> HEALTH_PATHS =
      p -> p.equals("/healthz") || p.equals("/healthz/live") || p.equals("/healthz/ready");

  private final KubernetesClient client;
  private final Authenticator auth;
  private final Mode defaultMode;
  private final ExecutorService loop = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "palisade-controller");
    t.setDaemon(true);
    return t;
  });
  private PolicyProblemReporter policyProblems;
  private final dev.palisade.controller.identity.WorkloadIndex workloads;
  private final FlowGraph graph = new FlowGraph();
  /** Hands loop work to the loop later: batched LearnedFlows writes, their retries. */
  private final java.util.concurrent.ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "palisade-controller-timer");
        t.setDaemon(true);
        return t;
      });
  private final LearnedFlowsWriter learned;
  /** Flow records refused since start, by reason (loop thread; /v1/status). */
  private dev.palisade.controller.ingest.FlowIntake flows;
  private EdgeDecisions decisions;
  private ModeAudit modeAudit;
  /** Whether palisade.dev/mode on root owners counts (any user who may edit a Deployment may set it). */
  private volatile boolean workloadModeAnnotations = true;
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
  private SharedIndexInformer<ReplicaSet> replicaSets;
  private SharedIndexInformer<Job> jobs;
  private SharedIndexInformer<Pod> pods;
  private SharedIndexInformer<SegmentationMode> modes;
  private WorkloadResolver resolver;
  private dev.palisade.controller.review.ModeIndex modeIndex;
  private ApiServer api;
  private ServerTls tls = ServerTls.plainHttp();
  private volatile boolean ready;
  /** Stable labels per workload vertex, for NetworkPolicy export. */
  private ReviewEndpoints review;
  private dev.palisade.controller.events.DropIntake drops;
  private AccessRequestQueue requests;
  private AuditLog audit;
  private final PublishedObjects publishing;
  private final AllowListPublisher allowLists;
  private ControllerMetrics metrics = new ControllerMetrics();
  /** palisade.dev/mode annotations: namespace -> value, NS/KIND/NAME of a root owner -> value (loop thread). */
  private SharedIndexInformer<io.fabric8.kubernetes.api.model.Service> services;
  private SharedIndexInformer<io.fabric8.kubernetes.api.model.Namespace> namespaces;
  /** Informers of the kinds a mode may name, by kind (Pod apart: {@link #pods}). */
  private final Map<String, SharedIndexInformer<?>> rootOwners = new HashMap<>();
  /** ApprovedGraph objects (approvals kept in git), laid over the graph where allow-lists compile. */
  private final ApprovedGraphWatch approvedGraphs = new ApprovedGraphWatch();
  /** Org guardrails (Admin-tier ClusterNetworkPolicy): auto-approve and forbid learned edges, audited. */
  private Guardrails guardrails;

  /** A controller running in {@value ClusterDefaults#NAMESPACE}. */
  public PalisadeController(KubernetesClient client, Authenticator auth, Mode defaultMode) {
    this(client, auth, defaultMode, ClusterDefaults.NAMESPACE, Backoff.DEFAULT);
  }

  /**
   * @param namespace the controller's own (POD_NAMESPACE), where it publishes its defaults
   * @param backoff between tries of a write that failed
   */
  public PalisadeController(KubernetesClient client, Authenticator auth, Mode defaultMode, String namespace,
      Backoff backoff) {
    this.client = client;
    this.auth = auth;
    this.defaultMode = defaultMode;
    this.workloads = new dev.palisade.controller.identity.WorkloadIndex(client);
    this.publishing = new PublishedObjects(client, namespace, backoff, this::onTamper);
    this.allowLists = new AllowListPublisher(compileSources(), publishing.allowLists(), ns -> metrics.onPublished(ns));
    this.learned = new LearnedFlowsWriter(graph, new dev.palisade.controller.publish.LastVersionWriter(client)::write,
        this::submit, timer, LEARNED_FLOWS_BATCH, backoff);
  }

  /** At most one LearnedFlows write per source workload per this, however many flow reports arrive. */
  static final Duration LEARNED_FLOWS_BATCH = Duration.ofSeconds(1);

  /**
   * Whether a {@code palisade.dev/mode} annotation on a Deployment (or another root owner) sets
   * its mode. Anyone who may edit the Deployment may set it, so a production cluster turns it off
   * and leaves modes to SegmentationModes (RBAC-guarded) and namespaces; an ignored annotation is
   * still audited, marked ignored. Before {@link #sync}.
   */
  public PalisadeController workloadModeAnnotations(boolean honoured) {
    this.workloadModeAnnotations = honoured;
    return this;
  }

  /**
   * How the API port speaks (default plain HTTP, for tests of the endpoints; {@code palisade
   * controller} always sets it from its flags). Before {@link #serve}.
   */
  public PalisadeController tls(ServerTls tls) {
    this.tls = java.util.Objects.requireNonNull(tls, "tls");
    return this;
  }

  /** Syncs, restores, starts the HTTP API on host:port (0: any free port). */
  public void start(String host, int port, Duration syncTimeout) {
    sync(syncTimeout);
    serve(host, port);
  }

  /**
   * Restores, starts the informers and waits for them, then publishes: everything of
   * {@link #start} but the HTTP API. Separate so that a replica taking over leadership keeps its
   * stand-by health endpoint on the port until it has synced ({@code palisade controller}).
   */
  public void sync(Duration syncTimeout) {
    restore();
    audit = new AuditLog(client).restore();
    // the audit log is the record of decisions: one whose edges were not saved before the
    // process stopped holds again, and its edges are saved once the controller is ready
    EdgeDecisions.replay(graph, audit).forEach(learned::dirty);
    modeAudit = new ModeAudit(audit);
    modeIndex = new dev.palisade.controller.review.ModeIndex(defaultMode, workloadModeAnnotations, modeAudit,
        this::submit, () -> ready, () -> {
          if (ready) {
            publishAll();
          }
        });
    guardrails = new Guardrails(client, audit, this::submit, timer, guardrailInputs(), this::onGuardrails);
    flows = new dev.palisade.controller.ingest.FlowIntake(graph, learned, this::vertexOf, this::podFacts,
        guardrails::due);
    decisions = new EdgeDecisions(graph, audit, new EdgeDecisions.Effects() {
      @Override
      public void save(Set<String> sources) {
        learned.flushNow(sources); // the decision's sources now; what flow reports dirtied keeps its pace
      }

      @Override
      public long publish(List<EdgeKey> changed) {
        publishEnds(changed);
        return allowLists.revision();
      }
    }, k -> guardrails.routing().forbiddenBy(k)).gitOwned(approvedGraphs::objects);
    review = new ReviewEndpoints(reviewBackend(), audit, new Snapshots(client).restore());
    // issue 20: AccessRequests wait in the page's queue; an approver's decision is an EdgeDecisions one
    requests = new AccessRequestQueue(graph, audit, decisions, AccessRequestCheck.ends(reviewBackend()::workloadExists,
        pod -> workloads.workloadOfPod(pod).map(WorkloadRef::toString)),
        AccessRequestEndpoints.kubeStatus(client), r -> timer.schedule(() -> submit(r), 2, TimeUnit.SECONDS));
    requests.watching(inform(AccessRequest.class, requests.handler(this::submit)));
    // issue 20: Events for drops, in each end's namespace, and a PolicyReport per namespace
    drops = new dev.palisade.controller.events.DropIntake(new DropEvents(new KubeEventSink(client)),
        new dev.palisade.controller.events.PolicyReportWriter(client));
    policyProblems = new PolicyProblemReporter(client).start();
    replicaSets = inform(ReplicaSet.class, null);
    jobs = inform(Job.class, modeIndex.annotations("Job"));
    // Root owners and namespaces: their palisade.dev/mode annotations are modes GitOps can carry.
    namespaces = inform(io.fabric8.kubernetes.api.model.Namespace.class, modeIndex.annotations(null));
    namespaces.addEventHandler(guardrails.dueOnChange()); // namespace labels select guardrails' pods
    informers.addAll(guardrails.informers());
    rootOwners.put("Job", jobs);
    rootOwners.put("Deployment", inform(io.fabric8.kubernetes.api.model.apps.Deployment.class,
        modeIndex.annotations("Deployment")));
    rootOwners.put("StatefulSet", inform(io.fabric8.kubernetes.api.model.apps.StatefulSet.class,
        modeIndex.annotations("StatefulSet")));
    rootOwners.put("DaemonSet", inform(io.fabric8.kubernetes.api.model.apps.DaemonSet.class,
        modeIndex.annotations("DaemonSet")));
    rootOwners.put("CronJob", inform(io.fabric8.kubernetes.api.model.batch.v1.CronJob.class,
        modeIndex.annotations("CronJob")));
    // The rest of what the graph is judged by: which service is the cluster DNS, service
    // accounts, endpoints, policies. Watched from the start so nothing is written before they synced.
    services = inform(io.fabric8.kubernetes.api.model.Service.class, null);
    inform(io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice.class, null);
    inform(io.fabric8.kubernetes.api.model.ServiceAccount.class, null);
    inform(io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class, null);
    approvedGraphs.watching(inform(ApprovedGraph.class, approvedGraphs.handler(this::submit, () -> {
      if (ready) {
        publishAll();
      }
    })));
    // What the controller publishes, so that a deletion or an edit by anyone else is written back.
    inform(AllowList.class, publishing.allowLists().handler());
    informers.add(publishing.defaultsInformer());
    resolver = new WorkloadResolver(this::findOwner);
    modes = inform(SegmentationMode.class, modeIndex.segmentationModes());
    modeIndex.watching(modes);
    pods = inform(Pod.class, new ResourceEventHandler<Pod>() {
      @Override
      public void onAdd(Pod p) {
        submit(() -> onPod(p, false));
      }

      @Override
      public void onUpdate(Pod o, Pod p) {
        submit(() -> onPod(p, false));
      }

      @Override
      public void onDelete(Pod p, boolean unknown) {
        submit(() -> onPod(p, true));
      }
    });
    for (SharedIndexInformer<?> i : informers) {
      i.start();
    }
    long deadline = System.nanoTime() + syncTimeout.toNanos();
    while (!informers.stream().allMatch(SharedIndexInformer::hasSynced)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("informers did not sync within " + syncTimeout);
      }
      sleep(20);
    }
    call(() -> {
      modeIndex.resolve();
      guardrails.judgeNow();
      ready = true;
      publishing.publishDefaults(defaultMode);
      publishAll();
      learned.flushNow();
      return null;
    });
  }

  /** Starts the HTTP API on host:port (0: any free port); after {@link #sync}. */
  public void serve(String host, int port) {
    Router routes = routes();
    api = ApiServer.start(host, port, routes, auth, p -> HEALTH_PATHS.test(p) || PageAssets.isPublic(p), MAX_BODY,
        metrics, tls);
    LOG.info("controller ready: {} identities, {} edges restored, API on {}://{}:{}", workloads.size(),
        graph.edges().size(), tls.scheme(), host, api.port());
  }

  /**
   * An informer across all namespaces of a kind {@link ControllerAccess} lets the controller list
   * and watch; an undeclared kind fails here, before anything starts.
   */
  private <T extends HasMetadata> SharedIndexInformer<T> inform(Class<T> kind, ResourceEventHandler<T> handler) {
    ControllerAccess.DECLARED.requireWatch(kind, null);
    SharedIndexInformer<T> informer = client.resources(kind).inAnyNamespace().runnableInformer(0);
    if (handler != null) {
      informer.addEventHandler(handler);
    }
    informers.add(informer);
    return informer;
  }

  private <T> ResourceEventHandler<T> handler(java.util.function.Consumer<T> any) {
    return new ResourceEventHandler<T>() {
      @Override
      public void onAdd(T o) {
        submit(() -> any.accept(o));
      }

      @Override
      public void onUpdate(T a, T b) {
        submit(() -> any.accept(b));
      }

      @Override
      public void onDelete(T o, boolean unknown) {
        submit(() -> any.accept(o));
      }
    };
  }

  private Optional<HasMetadata> findOwner(String ns, String kind, String name) {
    String key = ns + "/" + name;
    if (kind.equals("ReplicaSet")) {
      return Optional.ofNullable(replicaSets.getIndexer().getByKey(key));
    }
    if (kind.equals("Job")) {
      return Optional.ofNullable(jobs.getIndexer().getByKey(key));
    }
    return Optional.empty();
  }

  /** Identities and edges as the previous controller run left them. */
  private void restore() {
    for (WorkloadIdentity wi : client.resources(WorkloadIdentity.class).inAnyNamespace().list().getItems()) {
      try {
        workloads.restore(wi);
      } catch (RuntimeException e) {
        LOG.warn("ignoring WorkloadIdentity {}/{}: {}", wi.getMetadata().getNamespace(), wi.getMetadata().getName(),
            e.getMessage());
      }
    }
    for (LearnedFlows lf : client.resources(LearnedFlows.class).inAnyNamespace().list().getItems()) {
      if (lf.getSpec() == null || lf.getSpec().edges == null) {
        continue;
      }
      for (LearnedFlowsSpec.Edge e : lf.getSpec().edges) {
        try {
          graph.restore(new EdgeKey(lf.getSpec().source, e.destination, Protocol.parse(e.protocol), e.port),
              EdgeStatus.valueOf(e.status.toUpperCase(java.util.Locale.ROOT)), e.count, e.firstSeen, e.lastSeen,
              e.violations, e.sourcePods == null ? List.of() : e.sourcePods,
              e.destinationPods == null ? List.of() : e.destinationPods);
        } catch (RuntimeException ex) {
          LOG.warn("ignoring a LearnedFlows edge of {}: {}", lf.getSpec().source, ex.getMessage());
        }
      }
    }
    for (AllowList al : client.resources(AllowList.class).inAnyNamespace().list().getItems()) {
      if (al.getSpec() != null) {
        allowLists.restored(al.getSpec());
        publishing.allowLists().adopt(al);
      }
    }
    publishing.restoreDefaults();
  }

  /** Someone deleted or edited what the controller publishes (reconciler's thread): audited on the loop. */
  private void onTamper(Tamper t) {
    submit(() -> audit.appendRepair(ControllerAccess.SERVICE_ACCOUNT, t.kind() + " " + t.object(), t.what(),
        "written back"));
  }

  /** What the guardrails judge by (loop thread): every edge, live pods by workload, namespaces. */
  private Guardrails.Cluster guardrailInputs() {
    return new Guardrails.Cluster() {
      @Override
      public java.util.Collection<EdgeKey> edges() {
        return graph.edges().stream().map(EdgeView::key).toList();
      }

      @Override
      public Map<String, List<Pod>> podsByWorkload() {
        Map<String, List<Pod>> out = new HashMap<>();
        workloads.podsByWorkload().forEach((w, keys) -> out.put(w.toString(), new java.util.TreeSet<>(keys).stream()
            .map(k -> pods.getIndexer().getByKey(k)).filter(java.util.Objects::nonNull).toList()));
        return out;
      }

      @Override
      public List<io.fabric8.kubernetes.api.model.Namespace> namespaces() {
        return namespaces.getStore().list();
      }
    };
  }

  /** Guardrail verdicts changed (audited): the ends' allow-lists are compiled again. */
  private void onGuardrails(Set<EdgeKey> changed) {
    if (!ready) {
      return; // the first publish, after the first judgement, compiles them all
    }
    publishEnds(changed);
  }

  /** Recompiles and publishes the allow-lists of both ends of these edges (the workloads among them). */
  private void publishEnds(java.util.Collection<EdgeKey> changed) {
    Set<Long> touched = new HashSet<>();
    for (EdgeKey k : changed) {
      identityOf(k.source()).ifPresent(touched::add);
      identityOf(k.destination()).ifPresent(touched::add);
    }
    publish(touched);
  }

  // ---- events (loop thread) ----

  private void onPod(Pod p, boolean deleted) {
    guardrails.due(); // pod labels select guardrails' subjects and peers
    Optional<Long> fresh = workloads.onPod(p, deleted, resolver, System.currentTimeMillis());
    if (fresh.isPresent() && ready) {
      publish(Set.of(fresh.get()));
    }
  }

  private Mode modeOf(long id) {
    return workloads.workload(id).map(modeIndex::modeOf).orElse(defaultMode);
  }

  private Optional<Long> identityOf(String vertex) {
    return workloads.identityOf(vertex);
  }

  private String vertexOf(long id) {
    return workloads.vertexOf(id);
  }

  private void publishAll() {
    publish(workloads.identities());
  }

  /** Recompiles the given identities and writes the AllowLists that changed, under a new revision. */
  private void publish(Set<Long> identities) {
    allowLists.publish(identities);
  }

  /** What the allow-lists are compiled from (loop thread). */
  private AllowListPublisher.Sources compileSources() {
    return new AllowListPublisher.Sources() {
      @Override
      public Optional<Long> identityOf(String vertex) {
        return PalisadeController.this.identityOf(vertex);
      }

      @Override
      public String vertexOf(long identity) {
        return PalisadeController.this.vertexOf(identity);
      }

      @Override
      public Optional<WorkloadRef> workload(long identity) {
        return workloads.workload(identity);
      }

      @Override
      public Mode modeOf(long identity) {
        return PalisadeController.this.modeOf(identity);
      }

      @Override
      public java.util.Collection<EdgeView> edgesInForce(Set<String> vertices) {
        return guardrails.routing().overlay(approvedGraphs.index().overlay(graph.edgesTouching(vertices), vertices));
      }
    };
  }

  // ---- HTTP API ----

  /** Every route of the API: the controller's, the review endpoints' and the page's; after {@link #sync}. */
  Router routes() {
    Router all = review.addTo(router());
    new dev.palisade.controller.review.WhyEndpoint(client,
        () -> dev.palisade.controller.review.GraphJson.render(call(this::graphSnapshot)), () -> defaultMode)
        .clusterPolicies(guardrails::objects).addTo(all);
    new AccessRequestEndpoints(requests, this::call, () -> allowLists.revision()).addTo(all);
    return new PageAssets().addTo(all);
  }

  private Router router() {
    return new Router()
        .add("GET", "/healthz", null, r -> ApiResponse.json(200, "{\"ready\":" + ready + "}"))
        // kubelet probes: live while the process answers; ready (in the Service) once synced
        .add("GET", "/healthz/live", null, r -> ApiResponse.json(200, "{\"live\":true}"))
        .add("GET", "/healthz/ready", null, r -> ApiResponse.json(ready ? 200 : 503, "{\"ready\":" + ready + "}"))
        .add("POST", "/v1/flows", Role.AGENT, this::postFlows)
        // taken on the loop, written off it: a big graph's JSON does not hold up the agents' reports
        .add("GET", "/v1/graph", Role.VIEWER, r -> ApiResponse.json(200,
            dev.palisade.controller.review.GraphJson.render(call(this::graphSnapshot))))
        .add("GET", "/v1/status", Role.VIEWER, r -> ApiResponse.json(200, call(this::statusJson)))
        .add("POST", "/v1/review", Role.APPROVER, this::postReview)
        .add("POST", "/v1/drops", Role.AGENT, this::postDrops)
        .add("GET", "/v1/drops", Role.VIEWER, r -> ApiResponse.json(200, call(() -> drops.json())));
  }

  private ApiResponse postFlows(ApiRequest r) {
    FlowReport report;
    try {
      report = FlowReportJson.read(r.body());
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(e.getMessage());
    }
    if (!report.node().equals(r.caller().name())) {
      throw new ApiException(403, "agent " + r.caller().name() + " may only report flows of its own node, not "
          + report.node());
    }
    long now = System.currentTimeMillis();
    dev.palisade.controller.ingest.FlowIntake.Ingested in = call(() -> flows.ingest(report, now));
    FlowVetting.Verdict vetted = in.verdict();
    metrics.onFlowsIngested(vetted.accepted().size());
    vetted.refused().forEach((why, n) -> metrics.onFlowRecordsRefused(why.label(), n));
    if (vetted.refusedCount() > 0) {
      LOG.warn("agent {}: {} of {} flow record(s) refused: {}", report.node(), vetted.refusedCount(),
          report.flows().size(), vetted.refused().entrySet().stream().map(e -> e.getValue() + " " + e.getKey().text())
              .collect(java.util.stream.Collectors.joining("; ")));
    }
    return ApiResponse.json(200, "{\"accepted\":" + vetted.accepted().size() + ",\"refused\":"
        + vetted.refusedCount() + ",\"newEdges\":" + in.newEdges() + "}");
  }

  /** What the agents' reports are checked against: a pod's node and its workload's identity (loop thread). */
  private FlowVetting.PodFacts podFacts(String key) {
    return workloads.podFacts(key, pods.getIndexer().getByKey(key), System.currentTimeMillis());
  }


  private ApiResponse postDrops(ApiRequest r) {
    DropReportJson.DropReport report;
    try {
      report = DropReportJson.read(r.body());
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(e.getMessage());
    }
    if (!report.node().equals(r.caller().name())) {
      throw new ApiException(403, "agent " + r.caller().name() + " may only report drops of its own node");
    }
    call(() -> {
      drops.accept(report, dropGraph());
      return null;
    });
    return ApiResponse.json(200, "{\"accepted\":" + report.events().size() + "}");
  }

  /** What drops are judged by (loop thread). */
  private dev.palisade.controller.events.DropIntake.Graph dropGraph() {
    return new dev.palisade.controller.events.DropIntake.Graph() {
      @Override
      public String vertexOf(long identity) {
        return PalisadeController.this.vertexOf(identity);
      }

      @Override
      public boolean rejected(EdgeKey key) {
        return graph.edgesFrom(key.source()).stream().anyMatch(v -> v.key().equals(key)
            && guardrails.routing().statusOf(key, approvedGraphs.index().statusOf(key, v.status()))
                == EdgeStatus.REJECTED);
      }

      @Override
      public void violation(EdgeKey key) {
        graph.violation(key, 1);
      }
    };
  }

  private ApiResponse postReview(ApiRequest r) {
    ReviewRequest req = ReviewRequest.read(r.body());
    EdgeDecisions.Outcome outcome = call(() -> decisions.decide(r.caller(), req, allowLists.revision()));
    if (!outcome.repeated()) {
      metrics.onDecision(req.status(), outcome.changed());
    }
    return ApiResponse.json(200, outcome.json());
  }

  /** The workloads behind the Service kube-system/kube-dns (the cluster DNS), as vertex names. */
  private Set<String> dnsWorkloads() {
    io.fabric8.kubernetes.api.model.Service dns = services.getIndexer().getByKey("kube-system/kube-dns");
    Set<String> out = new HashSet<>();
    if (dns == null || dns.getSpec() == null || dns.getSpec().getSelector() == null || dns.getSpec().getSelector().isEmpty()) {
      return out;
    }
    Map<String, String> selector = dns.getSpec().getSelector();
    for (Pod p : pods.getIndexer().byIndex(io.fabric8.kubernetes.client.informers.cache.Cache.NAMESPACE_INDEX, "kube-system")) {
      Map<String, String> labels = p.getMetadata().getLabels() == null ? Map.of() : p.getMetadata().getLabels();
      if (labels.entrySet().containsAll(selector.entrySet())) {
        workloads.workloadOfPod("kube-system/" + p.getMetadata().getName()).ifPresent(w -> out.add(w.toString()));
      }
    }
    return out;
  }

  private dev.palisade.controller.review.GraphJson.Snapshot graphSnapshot() {
    return dev.palisade.controller.review.GraphJson.snapshot(allowLists.revision(), graph.edges(),
        approvedGraphs.index(), guardrails.routing(), dnsWorkloads());
  }

  private String graphJson() {
    return dev.palisade.controller.review.GraphJson.render(allowLists.revision(), graph.edges(), approvedGraphs.index(),
        guardrails.routing(), dnsWorkloads());
  }

  private ReviewEndpoints.Backend reviewBackend() {
    return new ReviewEndpoints.Backend() {
      @Override
      public <T> T onLoop(Callable<T> c) {
        return call(c);
      }

      @Override
      public FlowGraph graph() {
        return graph;
      }

      @Override
      public boolean namespaceExists(String namespace) {
        return namespaces.getIndexer().getByKey(namespace) != null;
      }

      @Override
      public boolean workloadExists(String namespace, String kind, String name) {
        SharedIndexInformer<?> owners = kind.equals("Pod") ? pods : rootOwners.get(kind);
        return owners != null && owners.getIndexer().getByKey(namespace + "/" + name) != null;
      }

      @Override
      public Map<String, String> labelsOf(String vertex) {
        return workloads.labelsOf(vertex);
      }

      @Override
      public List<SegmentationMode> modes() {
        return modes.getStore().list();
      }

      @Override
      public Mode defaultMode() {
        return defaultMode;
      }

      @Override
      public KubernetesClient client() {
        return client;
      }
    };
  }

  private String statusJson() {
    return "{\"ready\":" + ready + ",\"revision\":" + allowLists.revision() + ",\"identities\":" + workloads.size()
        + ",\"edges\":" + graph.edges().size() + ",\"refusedFlowRecords\":"
        + flows.refusedJson() + "}";
  }

  // ---- plumbing ----

  private void submit(Runnable r) {
    loop.execute(() -> {
      try {
        r.run();
      } catch (RuntimeException e) {
        LOG.error("controller event failed", e);
      }
    });
  }

  private <T> T call(Callable<T> c) {
    try {
      return loop.submit(c).get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(503, "interrupted");
    } catch (TimeoutException e) {
      throw new ApiException(503, "controller busy");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /** The revision of the newest published allow-lists (agents report which they enforce). */
  public long revision() {
    return call(allowLists::revision);
  }

  /** Waits until every event received so far has been handled. */
  public void drain() {
    call(() -> null);
  }

  /**
   * Judges every edge by the org's guardrails now, then answers what {@code GET /v1/graph} would:
   * for in-process callers that must not race the judgement's debounce (the lab's {@code ci run}).
   */
  public String judgedGraphJson() {
    return call(() -> {
      guardrails.judgeNow();
      return graphJson();
    });
  }

  public int port() {
    return api.port();
  }

  public FlowGraph graph() {
    return graph;
  }

  /**
   * Counts into {@code m} from now on, and lets it read the graph and revision when scraped; before
   * {@link #serve}. The metrics outlive the controller (a leadership term's).
   */
  public PalisadeController metrics(ControllerMetrics m) {
    this.metrics = m;
    m.attach(new ControllerMetrics.Source() {
      @Override
      public Map<List<String>, Long> edgeCounts() {
        if (!ready) {
          return Map.of(); // nothing restored and no informers yet
        }
        return call(() -> {
          Set<String> dns = dnsWorkloads();
          Map<List<String>, Long> out = new HashMap<>();
          for (EdgeView v : graph.edges()) {
            out.merge(List.of(v.status().name().toLowerCase(java.util.Locale.ROOT), dev.palisade.controller.review.GraphJson.classOf(v, dns)), 1L, Long::sum);
          }
          return out;
        });
      }

      @Override
      public long revision() {
        return PalisadeController.this.revision();
      }
    });
    return this;
  }

  /** What the controller publishes, with its counters of repairs and failed writes (for metrics). */
  public PublishedObjects publishing() {
    return publishing;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    if (api != null) {
      api.close();
    }
    if (policyProblems != null) {
      policyProblems.close();
    }
    if (drops != null) {
      drops.close();
    }
    informers.forEach(SharedIndexInformer::stop);
    if (ready) {
      try {
        call(learned::flushNow); // what the last second of flow reports added
      } catch (RuntimeException e) {
        LOG.warn("learned flows not saved at shutdown: {}", e.getMessage());
      }
    }
    publishing.close();
    timer.shutdownNow();
    loop.shutdownNow();
  }
}
