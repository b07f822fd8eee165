package dev.palisade.bench.jmh;

import dev.palisade.controller.compile.AllowListCompiler;
import dev.palisade.controller.graph.FlowEdge.EdgeKey;
import dev.palisade.controller.graph.FlowGraph;
import dev.palisade.controller.graph.FlowGraph.EdgeView;
import dev.palisade.model.FlowRecord;
import dev.palisade.model.IdentityPolicy;
import dev.palisade.model.Mode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The controller's hot pure paths at 10k pods, 1k workloads, 100k edges (70% approved):
 *
 * <ul>
 *   <li>{@code compileFull}: every identity, as after a restart or a mode change of everything;
 *   <li>{@code compileIncremental}: the two ends of one approval, from the same edge list (the
 *       compiler still scans every edge, so this is the floor an incremental compile has today);
 *   <li>{@code publishIncremental}: what {@code PalisadeController.publish} does for one approval:
 *       the edges at the two ends ({@code FlowGraph.edgesTouching}), then compiling those;
 *   <li>{@code snapshot}: {@code FlowGraph.edges()} alone (a copy and a field-by-field sort);
 *       {@code sortByFields}: the copy and sort without the graph's lock and views, for comparison;
 *   <li>{@code ingest}: flow records per second into {@code FlowGraph.ingest}, in agent reports of
 *       1,000 records on edges the graph already has (the steady state).
 * </ul>
 *
 * <p>{@code lookup}: "map" resolves vertex and identity through a hash map (the cost of the code
 * under test alone); "controller" resolves them as {@code PalisadeController} does, through
 * {@code IdentityAllocator} and {@code WorkloadRef.parse}/{@code toString}.
 *
 * <p>Run: {@code java -cp bench/target/palisade-bench.jar org.openjdk.jmh.Main CompileBench -f 1 -i 3}. Five
 * warm-up iterations by default: on two cores the compile loops took 3 to 4 warm-ups to settle
 * (some got slower before C2 was done with them), so two were not enough.
 */
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 3, time = 2)
public class CompileBench {

  /** The compiler's inputs, built once per trial. */
  @State(Scope.Benchmark)
  public static class Compile {
    @Param({"map", "controller"})
    public String lookup;

    CompileScenario scenario;
    AllowListCompiler compiler;
    Set<Long> approvalIds;
    Set<String> approvalVertices;

    @Setup(Level.Trial)
    public void setUp() {
      scenario = CompileScenario.paperSized();
      compiler = new AllowListCompiler("map".equals(lookup) ? scenario.mapLookup() : scenario.controllerLookup(),
          id -> Mode.ENFORCE);
      approvalIds = scenario.approvalIdentities();
      approvalVertices = Set.of(scenario.approval.key().source(), scenario.approval.key().destination());
    }
  }

  /** The graph to snapshot, and its edges shuffled for a fair sort. */
  @State(Scope.Benchmark)
  public static class Snapshot {
    FlowGraph graph;
    List<EdgeView> shuffled;

    @Setup(Level.Trial)
    public void setUp() {
      CompileScenario scenario = CompileScenario.paperSized();
      graph = scenario.graph;
      List<EdgeView> copy = new ArrayList<>(scenario.edges);
      Collections.shuffle(copy, new Random(1));
      shuffled = List.copyOf(copy);
    }
  }

  /** A graph that already holds every edge, and reports to feed it. */
  @State(Scope.Benchmark)
  public static class Ingest {
    @Param({"map", "controller"})
    public String lookup;

    FlowGraph graph;
    List<List<FlowRecord>> batches;
    LongFunction<String> vertexOf;
    long sequence;
    int next;

    @Setup(Level.Trial)
    public void setUp() {
      CompileScenario scenario = CompileScenario.paperSized();
      graph = scenario.graph;
      batches = scenario.reportBatches();
      vertexOf = "map".equals(lookup) ? scenario.arrayVertexOf() : scenario.controllerVertexOf();
    }
  }

  @Benchmark
  @BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public Map<Long, IdentityPolicy> compileFull(Compile s) {
    return s.compiler.compile(s.scenario.edges, s.scenario.allIdentities);
  }

  @Benchmark
  @BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public Map<Long, IdentityPolicy> compileIncremental(Compile s) {
    return s.compiler.compile(s.scenario.edges, s.approvalIds);
  }

  @Benchmark
  @BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public Map<Long, IdentityPolicy> publishIncremental(Compile s) {
    return s.compiler.compile(s.scenario.graph.edgesTouching(s.approvalVertices), s.approvalIds);
  }

  @Benchmark
  @BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public List<EdgeView> snapshot(Snapshot s) {
    return s.graph.edges();
  }

  @Benchmark
  @BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public List<EdgeView> sortByFields(Snapshot s) {
    List<EdgeView> out = new ArrayList<>(s.shuffled);
    out.sort(CompileScenario.FIELD_ORDER);
    return out;
  }

  @Benchmark
  @BenchmarkMode(org.openjdk.jmh.annotations.Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  @OperationsPerInvocation(CompileScenario.RECORDS_PER_REPORT)
  public List<EdgeKey> ingest(Ingest s) {
    List<FlowRecord> batch = s.batches.get(s.next);
    s.next = (s.next + 1) % s.batches.size();
    // A fresh sequence each time: the graph drops a report whose sequence it has seen.
    return s.graph.ingest(CompileScenario.report("node-0", s.sequence++, batch), s.vertexOf);
  }
}
