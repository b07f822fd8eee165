package dev.palisade.bench;

import dev.palisade.dataplane.render.AllowRect;
import dev.palisade.dataplane.render.Interval;
import dev.palisade.dataplane.render.NodeRules;
import dev.palisade.dataplane.render.NodeRules.Direction;
import dev.palisade.dataplane.render.NodeRules.Enforcement;
import dev.palisade.dataplane.render.NodeRules.Group;
import dev.palisade.dataplane.render.RulesetRenderer;
import dev.palisade.kernel.netns.NetNs;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Through one node: a client namespace, a node namespace that forwards (and holds the ruleset
 * under test), a server namespace. Every configuration is measured in the same run, round-robin
 * (so drift and neighbours hit all alike), and each figure is the median of the rounds:
 *
 * <pre>
 *  pal-lr-cli 10.250.1.2 --veth-- pal-lr-node (forward hook: the ruleset) --veth-- 10.250.2.2 pal-lr-srv
 *
 *  none          no table at all (the node does not even load conntrack)
 *  ct-only       ct state established,related accept; ct state invalid drop (no policy)
 *  palisade-N    Palisade's rendered ruleset, the server pod enforced with N allowed tuples
 *                (10,000 peer pod addresses x N/10,000 ports; the client's tuple among them)
 *  interval-set-N  the same N tuples in one interval (pipapo) set: the renderer's earlier layout
 *  linear-N      a chain of N per-pair accept rules, the client's rule last, then drop: the control
 * </pre>
 *
 * Metrics: new TCP connections per second (threads in the client namespace connect and reset;
 * the server accepts) and the CPU time all cores spent per connection meanwhile (a cost, which
 * scheduling on a shared 2-core machine moves far less than a rate), 64-byte UDP packets per second received (iperf3 -u -l 64 -b 0) and TCP
 * throughput (iperf3).
 *
 * <p>Usage: {@code scripts/bench.sh line-rate [ROUNDS] [SECONDS]} (as root).
 */
public final class LineRateBench {
  private static final String CLI = "pal-lr-cli";
  private static final String NODE = "pal-lr-node";
  private static final String SRV = "pal-lr-srv";
  private static final String CLIENT_IP = "10.250.1.2";
  private static final String SERVER_IP = "10.250.2.2";
  private static final int CONN_PORT = 9000;
  private static final int IPERF_PORT = 5201;
  private static final int PEERS = AllowedTuples.PEERS;

  /** cpuUsPerConn: CPU time (all cores, user + system + softirq) per connection made, a cost that scheduling noise barely moves. */
  record Sample(double connPerSec, double cpuUsPerConn, double udpPps, double tcpGbps) {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Map<String, String> configs = new LinkedHashMap<>();
    configs.put("none", null);
    configs.put("ct-only", ctOnly());
    for (int n : new int[] {100, 10_000, 100_000}) {
      configs.put("palisade-" + n, palisade(n));
    }
    // the same 100k tuples all in one interval (pipapo) set, as the renderer did before exact
    // tuples moved to a hash set: the control for that choice
    configs.put("interval-set-100000", intervalOnly(100_000));
    for (int n : new int[] {1_000, 10_000}) {
      configs.put("linear-" + n, linear(n));
    }
    Map<String, List<Sample>> samples = new LinkedHashMap<>();
    configs.keySet().forEach(k -> samples.put(k, new ArrayList<>()));
    Process iperf = null;
    try {
      topology();
      NetNs srv = NetNs.attach(SRV);
      ServerSocketChannel server = srv.call(() -> ServerSocketChannel.open().bind(new InetSocketAddress(SERVER_IP,
          CONN_PORT), 4096));
      Thread acceptor = acceptLoop(server);
      iperf = new ProcessBuilder("ip", "netns", "exec", SRV, "iperf3", "-s", "-p", String.valueOf(IPERF_PORT))
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      Thread.sleep(500);
      List<Map.Entry<String, String>> order = new ArrayList<>(configs.entrySet());
      for (int r = 0; r < rounds; r++) {
        // each round starts one configuration later, so none always follows the same neighbour
        // (freeing a 10k-rule chain or a 100k-element set keeps the kernel busy for a moment)
        java.util.Collections.rotate(order, r == 0 ? 0 : -1);
        for (var c : order) {
          apply(c.getValue());
          Thread.sleep(1000); // let the previous ruleset's teardown settle before measuring
          double[] conn = connPerSec(seconds);
          Sample s = new Sample(conn[0], conn[1], udpPps(seconds), tcpGbps(seconds));
          samples.get(c.getKey()).add(s);
          System.err.printf("round %d %-16s %,10.0f conn/s %6.1f us CPU/conn %,12.0f udp pps %6.2f Gbit/s%n", r + 1,
              c.getKey(), s.connPerSec(), s.cpuUsPerConn(), s.udpPps(), s.tcpGbps());
        }
      }
      acceptor.interrupt();
      server.close();
      srv.close();
    } finally {
      if (iperf != null) {
        iperf.destroy();
        iperf.waitFor();
      }
      for (String ns : List.of(CLI, NODE, SRV)) {
        NetNs.delete(ns);
      }
    }
    write(samples, rounds, seconds);
  }

  private static void topology() {
    for (String ns : List.of(CLI, NODE, SRV)) {
      NetNs.delete(ns); // a leftover of a killed run
      NetNs.create(ns).close();
    }
    NetNs.vethPair(CLI, "eth0", NODE, "to-cli");
    NetNs.vethPair(SRV, "eth0", NODE, "to-srv");
    run("ip", "-n", CLI, "addr", "add", CLIENT_IP + "/24", "dev", "eth0");
    run("ip", "-n", CLI, "route", "add", "default", "via", "10.250.1.1");
    run("ip", "-n", SRV, "addr", "add", SERVER_IP + "/24", "dev", "eth0");
    run("ip", "-n", SRV, "route", "add", "default", "via", "10.250.2.1");
    run("ip", "-n", NODE, "addr", "add", "10.250.1.1/24", "dev", "to-cli");
    run("ip", "-n", NODE, "addr", "add", "10.250.2.1/24", "dev", "to-srv");
    run("ip", "netns", "exec", NODE, "sysctl", "-qw", "net.ipv4.ip_forward=1");
    // connections end with a reset: let their conntrack entries go at once, so the table stays small
    run("ip", "netns", "exec", NODE, "sysctl", "-qw", "net.netfilter.nf_conntrack_tcp_timeout_close=1");
  }

  private static String ctOnly() {
    return """
        table inet bench {
          chain forwarding {
            type filter hook forward priority filter; policy accept;
            ct state established,related accept
            ct state invalid drop
          }
        }
        """;
  }

  /** Palisade's renderer, the server pod's ingress enforced with n allowed tuples (the client's among them). */
  static String palisade(int n) {
    Set<AllowRect> allowed = new HashSet<>(AllowedTuples.of(n));
    for (AllowRect.Proto proto : AllowRect.Proto.values()) {
      allowed.add(new AllowRect(Interval.ip(CLIENT_IP), proto, Interval.port(CONN_PORT)));
      allowed.add(new AllowRect(Interval.ip(CLIENT_IP), proto, Interval.port(IPERF_PORT)));
    }
    Direction in = new Direction(false, Set.of(), Set.of(), Enforcement.ENFORCE, Set.of(), allowed);
    Group server = new Group("1000", 1000, Set.of(SERVER_IP), in, Direction.OPEN);
    return RulesetRenderer.render(new NodeRules(List.of(server))).text();
  }

  /** Palisade's tuples (as {@link #palisade}) in one interval set: one pipapo lookup per new connection. */
  static String intervalOnly(int n) {
    StringBuilder sb = new StringBuilder("table inet bench {\n  set allow {\n    type ipv4_addr . inet_proto . inet_service;\n"
        + "    flags interval;\n    elements = {\n");
    for (AllowRect r : AllowedTuples.of(n)) {
      sb.append("      ").append(r.elementText()).append(",\n");
    }
    for (String proto : List.of("tcp", "udp")) {
      sb.append("      ").append(CLIENT_IP).append(" . ").append(proto).append(" . ").append(CONN_PORT).append(",\n");
      sb.append("      ").append(CLIENT_IP).append(" . ").append(proto).append(" . ").append(IPERF_PORT).append(",\n");
    }
    sb.append("    }\n  }\n  chain forwarding {\n    type filter hook forward priority filter; policy accept;\n"
        + "    ct state established,related accept\n    ct state invalid drop\n"
        + "    ip daddr != " + SERVER_IP + " accept\n"
        + "    ip saddr . meta l4proto . th dport @allow accept\n    drop\n  }\n}\n");
    return sb.toString();
  }

  /** n per-pair rules, the client's last: what a per-rule firewall does at n rules. */
  static String linear(int n) {
    StringBuilder sb = new StringBuilder("table inet bench {\n  chain forwarding {\n"
        + "    type filter hook forward priority filter; policy accept;\n"
        + "    ct state established,related accept\n    ct state invalid drop\n");
    long base = Interval.parseIp("10.100.0.0");
    for (int i = 0; i < n - 1; i++) {
      long ip = base + 2L * (i % PEERS);
      sb.append("    ip saddr ").append(new Interval(ip, ip).ipText()).append(" ip daddr ").append(SERVER_IP)
          .append(" tcp dport ").append(20000 + 2 * (i / PEERS)).append(" accept\n");
    }
    sb.append("    ip saddr ").append(CLIENT_IP).append(" ip daddr ").append(SERVER_IP).append(" accept\n");
    sb.append("    ip daddr ").append(SERVER_IP).append(" drop\n  }\n}\n");
    return sb.toString();
  }

  private static void apply(String ruleset) throws IOException {
    Path f = Files.createTempFile("pal-lr", ".nft");
    try {
      Files.writeString(f, "flush ruleset\n" + (ruleset == null ? "" : ruleset));
      run("ip", "netns", "exec", NODE, "nft", "-f", f.toString());
    } finally {
      Files.deleteIfExists(f);
    }
  }

  private static Thread acceptLoop(ServerSocketChannel server) {
    Thread t = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        try (SocketChannel c = server.accept()) {
          // accepted and closed: the connection's setup is what is measured
        } catch (IOException e) {
          return;
        }
      }
    }, "lr-accept");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Connections per second made by 4 threads in the client namespace, each connect then reset. */
  /** Busy jiffies of all CPUs (everything but idle and iowait), from /proc/stat. */
  private static long busyJiffies() throws IOException {
    String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
    long total = 0;
    for (int i = 1; i < f.length && i <= 8; i++) {
      total += Long.parseLong(f[i]);
    }
    return total - Long.parseLong(f[4]) - Long.parseLong(f[5]);
  }

  /** {connections per second, CPU microseconds per connection}. */
  private static double[] connPerSec(int seconds) throws Exception {
    int threads = 4;
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong made = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<NetNs> handles = new ArrayList<>();
    List<Future<?>> running = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      NetNs ns = NetNs.attach(CLI);
      handles.add(ns);
      running.add(pool.submit(() -> ns.run(() -> {
        InetSocketAddress to = new InetSocketAddress(SERVER_IP, CONN_PORT);
        while (!stop.get()) {
          try (SocketChannel c = SocketChannel.open()) {
            c.setOption(StandardSocketOptions.SO_LINGER, 0); // reset on close: no TIME_WAIT, no port exhaustion
            c.connect(to);
            made.incrementAndGet();
          } catch (IOException e) {
            failed.incrementAndGet();
          }
        }
      })));
    }
    Thread.sleep(300); // warm-up, not counted
    long m0 = made.get();
    long j0 = busyJiffies();
    long t0 = System.nanoTime();
    Thread.sleep(seconds * 1000L);
    long m1 = made.get();
    long j1 = busyJiffies();
    long t1 = System.nanoTime();
    stop.set(true);
    for (Future<?> f : running) {
      f.get();
    }
    pool.shutdown();
    handles.forEach(NetNs::close);
    if (failed.get() > made.get() / 100) {
      throw new IllegalStateException("connections failing: " + failed.get() + " of " + (made.get() + failed.get()));
    }
    // USER_HZ is 100 on Linux: a jiffy is 10 ms
    return new double[] {(m1 - m0) / ((t1 - t0) / 1e9), (j1 - j0) * 10_000.0 / Math.max(1, m1 - m0)};
  }

  private static final tools.jackson.databind.json.JsonMapper JSON = tools.jackson.databind.json.JsonMapper.builder().build();

  /** 64-byte UDP datagrams per second that reached the server (sent minus lost, per iperf3's end summary). */
  private static double udpPps(int seconds) {
    String json = iperf("-u", "-l", "64", "-b", "0", "-t", String.valueOf(seconds));
    tools.jackson.databind.JsonNode sum = JSON.readTree(json).path("end").path("sum");
    if (!sum.has("packets") || !sum.has("lost_packets") || !sum.has("seconds")) {
      throw new IllegalStateException("iperf3 UDP result has no end.sum packets/lost_packets/seconds: "
          + json.substring(Math.max(0, json.indexOf("\"end\"")), Math.min(json.length(), json.indexOf("\"end\"") + 600)));
    }
    long received = sum.get("packets").asLong() - sum.get("lost_packets").asLong();
    return received / sum.get("seconds").asDouble();
  }

  private static double tcpGbps(int seconds) {
    String json = iperf("-t", String.valueOf(seconds));
    tools.jackson.databind.JsonNode received = JSON.readTree(json).path("end").path("sum_received");
    if (!received.has("bits_per_second")) {
      throw new IllegalStateException("iperf3 TCP result has no end.sum_received.bits_per_second");
    }
    return received.get("bits_per_second").asDouble() / 1e9;
  }

  private static String iperf(String... args) {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", CLI, "iperf3", "-c", SERVER_IP, "-p",
        String.valueOf(IPERF_PORT), "-J"));
    cmd.addAll(List.of(args));
    return run(cmd.toArray(String[]::new));
  }

  private static String run(String... command) {
    return dev.palisade.kernel.netns.Commands.run(command);
  }

  private static double median(List<Sample> s, java.util.function.ToDoubleFunction<Sample> f) {
    double[] v = s.stream().mapToDouble(f).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  private static void write(Map<String, List<Sample>> samples, int rounds, int seconds) throws IOException {
    List<Sample> none = samples.get("none");
    List<Sample> ct = samples.get("ct-only");
    double noneConn = median(none, Sample::connPerSec);
    double ctConn = median(ct, Sample::connPerSec);
    double ctCpu = median(ct, Sample::cpuUsPerConn);
    double noneUdp = median(none, Sample::udpPps);
    double ctUdp = median(ct, Sample::udpPps);
    double noneTcp = median(none, Sample::tcpGbps);
    StringBuilder md = new StringBuilder();
    md.append("\n## Line rate through one node (").append(LocalDate.now()).append(")\n\n");
    md.append(Machine.describe()).append("\n");
    md.append("Command: `scripts/bench.sh line-rate ").append(rounds).append(' ').append(seconds).append("` (as root). ")
        .append("Client netns -> node netns (forwarding, the ruleset under test) -> server netns, veth pairs. ")
        .append("Configurations interleaved round-robin, ").append(rounds).append(" rounds, median shown; ")
        .append(seconds).append(" s per measurement. conn/s: 4 client threads connect and reset (SO_LINGER 0), ")
        .append("the server accepts; UDP: iperf3 -u -l 64 -b 0, datagrams received per second; TCP: iperf3 throughput. ")
        .append("palisade-N: the renderer's ruleset with the server enforced and N allowed tuples (10,000 peer addresses); ")
        .append("linear-N: N per-pair accept rules, the client's last. Client, server, forwarding and the generator ")
        .append("share the same 2 cores, so absolute figures are low; the ratios are the result.\n\n");
    md.append("| config | conn/s | / none | / ct-only | CPU us/conn | / ct-only | UDP 64B pps | / none | / ct-only "
        + "| TCP Gbit/s | / none |\n").append("|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (var e : samples.entrySet()) {
      double c = median(e.getValue(), Sample::connPerSec);
      double cpu = median(e.getValue(), Sample::cpuUsPerConn);
      double u = median(e.getValue(), Sample::udpPps);
      double t = median(e.getValue(), Sample::tcpGbps);
      md.append(String.format("| %s | %,.0f | %.3f | %.3f | %.1f | %.3f | %,.0f | %.3f | %.3f | %.2f | %.3f |%n", e.getKey(),
          c, c / noneConn, c / ctConn, cpu, cpu / ctCpu, u, u / noneUdp, u / ctUdp, t, t / noneTcp));
    }
    md.append("\nEvery round: ");
    for (var e : samples.entrySet()) {
      md.append(e.getKey()).append(' ').append(Arrays.toString(e.getValue().stream()
          .mapToLong(s -> Math.round(s.connPerSec())).toArray())).append(" conn/s; ");
    }
    md.append("\n\nCPU us per connection, every round: ");
    for (var e : samples.entrySet()) {
      md.append(e.getKey()).append(' ').append(Arrays.toString(e.getValue().stream()
          .mapToDouble(s -> Math.round(s.cpuUsPerConn() * 10) / 10.0).toArray())).append("; ");
    }
    md.append("\n\n");
    List<Sample> full = samples.get("palisade-100000");
    if (full != null) {
      double spread = ct.stream().mapToDouble(Sample::connPerSec).max().orElse(0)
          / Math.max(1, ct.stream().mapToDouble(Sample::connPerSec).min().orElse(1));
      String why = String.format(java.util.Locale.ROOT, "the generator, the server, iperf3 and the forwarding share %d "
          + "cores, so a round measures the scheduler as much as the ruleset (ct-only's own rounds spread %.1fx, more than "
          + "the differences between configurations); the CPU time per connection (table) is the steadier comparison",
          Runtime.getRuntime().availableProcessors(), spread);
      md.append(Goal.line("new connections/s at 100k tuples >= 0.98 of conntrack-only",
          median(full, Sample::connPerSec) / ctConn, 0.98, true, why));
      md.append(Goal.line("CPU time per new connection at 100k tuples, against conntrack-only (not a goal of the issue; "
          + "the inverse of the one above on a CPU-bound node, 1/0.98 = 1.02)", median(full, Sample::cpuUsPerConn) / ctCpu,
          1 / 0.98, false, why));
      md.append(Goal.line("TCP throughput at 100k tuples >= 0.97 of no firewall", median(full, Sample::tcpGbps) / noneTcp,
          0.97, true, why));
      md.append(Goal.line("64-byte UDP packets/s at 100k tuples >= 0.90 of no firewall",
          median(full, Sample::udpPps) / noneUdp, 0.90, true, why));
    }
    System.out.print(md);
    Path results = Path.of(System.getProperty("palisade.results", "bench/RESULTS.md"));
    Files.writeString(results, md.toString(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    LineRateChart.draw(results, results.resolveSibling("line-rate.png"));
  }
}
