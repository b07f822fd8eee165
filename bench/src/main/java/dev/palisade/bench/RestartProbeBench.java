package dev.palisade.bench;

import dev.palisade.lab.cluster.Lab;
import dev.palisade.lab.daemon.LabTokens;
import dev.palisade.lab.daemon.PalisadeProcesses;
import dev.palisade.lab.daemon.SupervisedProcess;
import dev.palisade.lab.net.LabNetwork;
import dev.palisade.lab.net.Prober;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Issue 16, on the agent process: "restart of an agent whose table holds 100k elements: no commit
 * over 50 ms, no packet of an enforced pod passes that should not". A one-node process lab
 * ({@link PalisadeProcesses}: controller and agent their own OS processes, the agent JVM with its
 * container's options) with an enforced namespace {@code probe}: a server {@code web}, an approved
 * {@code client} (client -> web learned from the client's own connections, approved through the
 * controller's review API) and an {@code attacker} never approved. NetworkPolicies admit web from
 * PEERS /32 peers on 10 TCP ports (the agent-memory bench's, 100k elements at 10,000 peers) and
 * from any pod of {@code probe} on the served port, so that the attacker is refused by Palisade's
 * enforcement alone.
 *
 * <p>Once the agent's table holds the tuples, two probe threads run (attacker -> web must fail,
 * client -> web must pass; new TCP connections from the probe source ports, which the agent does
 * not learn) while the agent process is killed with SIGKILL KILLS times and restarted at once by the
 * lab's supervisor (as a DaemonSet replaces a deleted pod). Each kill waits for the restarted agent's
 * "first sync in force" and {@value #DWELL_SECONDS} s more. Every second kill, CHANGED_PERCENT% of
 * the peers are moved while the agent is down (SIGSTOP, the small policy that holds them replaced,
 * then SIGKILL: the stopped agent never sees the change), so the restarted agent has elements to write; otherwise an
 * unchanged table is adopted with no commit at all. Per restart: kill -> first sync in force (from
 * the agent's log), the adoption's line (differences, commits planned, read time), the restarted
 * agent's commits and longest single commit ({@code palisade_agent_commits_total},
 * {@code palisade_agent_longest_commit_seconds}, scraped just before the next kill) and the probes
 * started in its window.
 *
 * <p>Usage: {@code scripts/bench.sh restart-probe [PEERS] [KILLS] [CHANGED_PERCENT]} (as root;
 * default 10,000 peers = 100,000 elements, 5 kills, 1%; needs cli/target/palisade.jar, which the
 * script builds; system property palisade.results: where the section goes, default bench/RESULTS.md).
 */
public final class RestartProbeBench {
  static final int PORTS = 10;
  static final int PORT = 20000;
  /** After the restarted agent's first sync: probes against a settled agent, and its syncs after the first. */
  static final int DWELL_SECONDS = 5;
  /** A refused connection is a dropped SYN: the attacker's probe gives up after this. */
  static final Duration ATTACK_TIMEOUT = Duration.ofMillis(300);
  /**
   * The client's probe fails if not established and echoed within this: a single dropped SYN (the
   * first retransmission comes after 1 s) makes it fail, a slow echo on 2 busy cores does not.
   */
  static final Duration APPROVED_TIMEOUT = Duration.ofSeconds(1);
  /**
   * Between client probes: the probe source ports (1,000) each sit in TIME_WAIT for 60 s after a
   * passed probe, so about 16 probes/s is the most the client can keep up.
   */
  static final long APPROVED_EVERY_MS = 100;
  private static final Pattern ADOPTION = Pattern.compile(
      "adopting table \\S+ \\S+: (\\d+) difference\\(s\\), (\\d+) commit\\(s\\) planned, read and planned in (\\d+) ms");

  private RestartProbeBench() {}

  /** One agent run: the first (row 0, which loaded the table) or one after a kill. */
  record Run(int kill, boolean changed, double killToSyncMs, String adoption, long commits, double longestMs,
      double firstSyncMs, long elements, String load, long attacks, long attacksPassed, long approved,
      long approvedFailed) {}

  public static void main(String[] args) throws Exception {
    int peers = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int kills = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    int percent = args.length > 2 ? Integer.parseInt(args[2]) : 1;
    List<String> launcher = ProcessLabs.launcher();
    String id = "rprobe" + ProcessHandle.current().pid() % 1000;
    Path dir = Files.createTempDirectory("pal-rprobe");
    long wanted = (long) peers * PORTS;
    List<Run> runs = new ArrayList<>();
    try {
      LabNetwork.reap(id);
      try (Lab lab = Lab.startBare(id, 1);
          PalisadeProcesses pal = PalisadeProcesses.start(lab, launcher, dir, LabTokens.of(lab.api()),
              Duration.ofMinutes(5))) {
        runs = run(lab, pal, dir, peers, kills, percent);
      }
    } finally {
      int left = LabNetwork.reap(id); // the lab removes its namespaces; this is for a failure half-way
      if (left > 0) {
        System.err.println("removed " + left + " namespaces the lab left");
      }
    }
    String md = RestartProbeReport.of(runs, peers, kills, percent, wanted, dir);
    Files.writeString(Path.of(System.getProperty("palisade.results", "bench/RESULTS.md")), md,
        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    System.out.print(md);
  }

  private static List<Run> run(Lab lab, PalisadeProcesses pal, Path dir, int peers, int kills, int percent)
      throws Exception {
    String metrics = pal.metricsUrl("agent-0");
    HttpClient http = HttpClient.newHttpClient();
    Path log = dir.resolve("agent-0.log");
    lab.apply(app());
    int moving = peers * percent / 100;
    lab.apply(policy("many-peers", moving, peers, false));
    if (moving > 0) {
      lab.apply(policy("moving-peers", 0, moving, false));
    }
    lab.awaitReady(Duration.ofMinutes(2));
    LabNetwork.Pod web = pod(lab, "probe/web-");
    LabNetwork.Pod client = pod(lab, "probe/client-");
    LabNetwork.Pod attacker = pod(lab, "probe/attacker-");
    enforce(pal, web, client, attacker);
    long elements = AgentScrape.awaitStable(metrics, (long) peers * PORTS, Duration.ofMinutes(10));
    System.err.printf(Locale.ROOT, "probe enforced, client -> web approved; %,d elements in force%n", elements);

    // probes: window w counts what started after event w began (0: the first agent, before any kill)
    int windows = kills + 1;
    AtomicLongArray attacks = new AtomicLongArray(windows);
    AtomicLongArray attacksPassed = new AtomicLongArray(windows);
    AtomicLongArray approved = new AtomicLongArray(windows);
    AtomicLongArray approvedFailed = new AtomicLongArray(windows);
    AtomicInteger window = new AtomicInteger();
    AtomicBoolean stop = new AtomicBoolean();
    Thread attack = new Thread(() -> {
      while (!stop.get()) {
        int w = window.get();
        attacks.incrementAndGet(w);
        if (Prober.probe(attacker, web.ip(), PORT, "TCP", ATTACK_TIMEOUT)) {
          attacksPassed.incrementAndGet(w);
          System.err.println("ATTACK PASSED in window " + w);
        }
      }
    }, "probe-attacker");
    Thread allowed = new Thread(() -> {
      while (!stop.get()) {
        int w = window.get();
        long t0 = System.nanoTime();
        approved.incrementAndGet(w);
        if (!Prober.probe(client, web.ip(), PORT, "TCP", APPROVED_TIMEOUT)) {
          approvedFailed.incrementAndGet(w);
          System.err.println("approved probe failed in window " + w);
        }
        sleepUntil(t0 + APPROVED_EVERY_MS * 1_000_000);
      }
    }, "probe-client");
    List<Run> runs = new ArrayList<>();
    SupervisedProcess agent = pal.process("agent-0");
    attack.start();
    allowed.start();
    try {
      Thread.sleep(DWELL_SECONDS * 1000L);
      Scrape s0 = Scrape.of(http, metrics);
      runs.add(new Run(0, false, Double.NaN, "-", s0.commits, s0.longestMs, s0.firstSyncMs, s0.elements, load(), 0, 0,
          0, 0));
      int variant = 0;
      for (int kill = 1; kill <= kills; kill++) {
        boolean change = moving > 0 && kill % 2 == 0;
        long offset = Files.size(log);
        long pid = agent.pid().orElseThrow();
        window.set(kill);
        if (change) {
          signal("STOP", pid); // the agent sees nothing of the change: it is in the API when it restarts
          variant = 1 - variant;
          lab.apply(policy("moving-peers", 0, moving, variant == 1));
        }
        int restarts = agent.restarts();
        long killed = System.nanoTime();
        agent.kill();
        String line = awaitFirstSync(agent, restarts, log, offset, Duration.ofMinutes(5));
        long synced = System.nanoTime();
        Thread.sleep(DWELL_SECONDS * 1000L);
        Scrape s = Scrape.of(http, metrics);
        Matcher m = ADOPTION.matcher(line);
        String adoption = m.find() ? String.format(Locale.ROOT, "%s / %s / %s ms", m.group(1), m.group(2), m.group(3))
            : "(no adoption line)";
        runs.add(new Run(kill, change, (synced - killed) / 1e6, adoption, s.commits, s.longestMs, s.firstSyncMs,
            s.elements, load(), 0, 0, 0, 0));
        System.err.printf(Locale.ROOT, "kill %d%s: first sync in force %.0f ms after the kill; adoption %s; %d commits,"
            + " longest %.1f ms; %,d elements%n", kill, change ? " (changed while down)" : "", (synced - killed) / 1e6,
            adoption, s.commits, s.longestMs, s.elements);
      }
    } finally {
      stop.set(true);
      attack.join();
      allowed.join();
    }
    List<Run> out = new ArrayList<>();
    for (Run r : runs) {
      int w = r.kill();
      out.add(new Run(r.kill(), r.changed(), r.killToSyncMs(), r.adoption(), r.commits(), r.longestMs(),
          r.firstSyncMs(), r.elements(), r.load(), attacks.get(w), attacksPassed.get(w), approved.get(w),
          approvedFailed.get(w)));
    }
    return out;
  }

  /** What one scrape of the agent's /metrics says. */
  record Scrape(long commits, double longestMs, double firstSyncMs, long elements) {
    static Scrape of(HttpClient http, String metrics) throws Exception {
      String body = http.send(HttpRequest.newBuilder(URI.create(metrics)).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      return new Scrape((long) AgentScrape.sum(body, "palisade_agent_commits_total", ""),
          AgentScrape.sum(body, "palisade_agent_longest_commit_seconds", "") * 1000,
          AgentScrape.sum(body, "palisade_agent_sync_duration_seconds_sum", "cause=\"first\"") * 1000,
          (long) AgentScrape.sum(body, "palisade_agent_ruleset_elements", ""));
    }
  }

  /**
   * Waits until the agent was restarted and its new run logged its first sync in force; returns the
   * log written since {@code offset} up to that line (the adoption's line is in it).
   */
  private static String awaitFirstSync(SupervisedProcess agent, int restartsBefore, Path log, long offset,
      Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    StringBuilder seen = new StringBuilder();
    long at = offset;
    while (System.nanoTime() < deadline) {
      if (agent.restarts() > restartsBefore) {
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
          long size = f.length();
          if (size > at) {
            byte[] b = new byte[(int) (size - at)];
            f.seek(at);
            f.readFully(b);
            at = size;
            seen.append(new String(b, StandardCharsets.UTF_8));
            int i = seen.indexOf("first sync in force");
            if (i >= 0) {
              return seen.substring(0, i);
            }
          }
        }
      }
      Thread.sleep(5);
    }
    throw new IllegalStateException("the restarted agent did not log its first sync in force within " + timeout
        + "; its log since the kill ends: " + tail(seen.toString()));
  }

  private static String tail(String s) {
    return s.length() <= 2000 ? s : s.substring(s.length() - 2000);
  }

  /** client -> web learned, approved, probe enforced: the attacker is refused and the client passes. */
  private static void enforce(PalisadeProcesses pal, LabNetwork.Pod web, LabNetwork.Pod client,
      LabNetwork.Pod attacker) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (!api(pal, "/v1/graph?namespace=probe", null).contains(
        "\"source\":\"probe/Deployment/client\",\"destination\":\"probe/Deployment/web\"")) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("client -> web not learned within 90 s");
      }
      Thread.sleep(300);
    }
    api(pal, "/v1/review", "{\"status\":\"approved\",\"only\":[{\"from\":\"probe/Deployment/client\",\"to\":"
        + "\"probe/Deployment/web\",\"port\":" + PORT + ",\"protocol\":\"TCP\"}]}");
    api(pal, "/v1/mode", "{\"namespace\":\"probe\",\"mode\":\"enforce\"}");
    deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (Prober.probe(attacker, web.ip(), PORT, "TCP", ATTACK_TIMEOUT)
        || !Prober.probe(client, web.ip(), PORT, "TCP", APPROVED_TIMEOUT)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("probe not enforced with client -> web approved within 60 s");
      }
      Thread.sleep(200);
    }
  }

  /** GET when body is null, else POST (as the approver); 200 expected. */
  private static String api(PalisadeProcesses pal, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(pal.url() + path))
        .header("Authorization", "Bearer " + (body == null ? pal.viewerToken() : pal.approverToken()));
    HttpResponse<String> r = pal.httpClient().send(body == null ? b.build()
        : b.POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(path + ": " + r.statusCode() + " " + r.body());
    }
    return r.body();
  }

  /** The server, the client (its own program connects to web through its Service: what is learned), the attacker. */
  static String app() {
    return """
        apiVersion: v1
        kind: Namespace
        metadata: {name: probe}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: probe}
        spec:
          replicas: 1
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec: {containers: [{name: web, image: web, ports: [{containerPort: %d}]}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: probe}
        spec:
          selector: {app: web}
          ports: [{port: %d, targetPort: %d}]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: client, namespace: probe}
        spec:
          replicas: 1
          selector: {matchLabels: {app: client}}
          template:
            metadata: {labels: {app: client}}
            spec:
              containers:
              - name: client
                command: [sh, -c, "while true; do python3 -c 'import socket; socket.create_connection((\\"web.probe.svc.cluster.local\\", %d), 1).close()'; sleep 1; done"]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: attacker, namespace: probe}
        spec:
          replicas: 1
          selector: {matchLabels: {app: attacker}}
          template:
            metadata: {labels: {app: attacker}}
            spec: {containers: [{name: a, image: a}]}
        """.formatted(PORT, PORT, PORT, PORT);
  }

  /**
   * A NetworkPolicy admitting web from peers {@code first..last-1} (10.100.0.0 upwards, spaced by 2
   * as {@link AllowedTuples}: every tuple its own element; {@code moved}: 10.150.0.0 upwards instead)
   * on 10 ports spaced by 2. The peers that move while the agent is down sit in a policy of their
   * own: replacing the 10,000-peer policy itself makes the lab's API server (fabric8's mock) diff
   * its old and new peer lists with an O(n^2) longest common subsequence on its event loop, over 10 s.
   * "many-peers" also admits any pod of the namespace on the served port (the attacker is left to
   * the enforcement).
   */
  static String policy(String name, int first, int last, boolean moved) {
    StringBuilder sb = new StringBuilder("""
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: %s, namespace: probe}
        spec:
          podSelector: {matchLabels: {app: web}}
          policyTypes: [Ingress]
          ingress:
        """.formatted(name));
    if (name.equals("many-peers")) {
      sb.append("""
            - from:
              - podSelector: {}
              ports:
              - {port: %d, protocol: TCP}
          """.formatted(PORT));
    }
    long base = moved ? (10L << 24) | (150L << 16) : (10L << 24) | (100L << 16);
    return sb.append(ProcessLabs.peersOnPorts(base, first, last, PORT, PORTS)).toString();
  }

  private static LabNetwork.Pod pod(Lab lab, String prefix) {
    List<LabNetwork.Pod> all = new ArrayList<>(lab.network().pods());
    return all.stream().filter(p -> p.key().startsWith(prefix)).findFirst()
        .orElseThrow(() -> new IllegalStateException("no pod " + prefix + "* in " + all));
  }

  private static void signal(String signal, long pid) throws IOException, InterruptedException {
    Process k = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
    if (k.waitFor() != 0) {
      throw new IllegalStateException("kill -" + signal + " " + pid + " failed");
    }
  }

  /** The machine's 1-minute load average now. */
  private static String load() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException e) {
      return "?";
    }
  }

  private static void sleepUntil(long nanoTime) {
    long left = nanoTime - System.nanoTime();
    if (left > 0) {
      try {
        Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
