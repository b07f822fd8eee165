package dev.palisade.bench;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Through one node: a client namespace, a node namespace that forwards (and holds the ruleset
 * under test), a server namespace. Every configuration is measured in the same run, round-robin
 * (so drift and neighbours hit all alike), and each figure is the median of the rounds:
 *
 * <pre>
 *  pal-TAG-cli 10.250.1.2 --veth-- pal-TAG-node (forward hook: the ruleset) --veth-- 10.250.2.2 pal-TAG-srv
 *
 *  none          no table at all (the node does not even load conntrack)
 *  ct-only       ct state established,related accept; ct state invalid drop (no policy)
 *  palisade-N    Palisade's rendered ruleset, the server pod enforced with N allowed tuples
 *                (10,000 peer pod addresses x N/10,000 ports; the client's tuple among them)
 *  interval-set-N  the same N tuples in one interval (pipapo) set: the renderer's earlier layout
 *  linear-N      a chain of N per-pair accept rules, the client's rule last, then drop: the control
 *  admin-N       palisade-100 with N Admin-tier ClusterNetworkPolicies in front (issue 19, {@link AdminTierRulesets})
 * </pre>
 *
 * Metrics: new TCP connections per second (threads in the client namespace connect and reset;
 * the server accepts) and the CPU time all cores spent per connection meanwhile (a cost, which
 * scheduling on a shared 2-core machine moves far less than a rate), 64-byte UDP packets per second received (iperf3 -u -l 64 -b 0) and TCP
 * throughput (iperf3).
 *
 * <p>Usage: {@code scripts/bench.sh line-rate [ROUNDS] [SECONDS] [CONFIG,CONFIG...]} (as root); the
 * third argument measures only the named configurations (default: all). The namespaces are
 * pal-TAG-cli, pal-TAG-node, pal-TAG-srv with TAG from the environment's PALISADE_LR_NETNS
 * (default lr), so two benches on one machine need not collide.
 */
public final class LineRateBench {
  private static final String TAG = System.getenv().getOrDefault("PALISADE_LR_NETNS", "lr");
  private static final String CLI = "pal-" + TAG + "-cli";
  private static final String NODE = "pal-" + TAG + "-node";
  private static final String SRV = "pal-" + TAG + "-srv";
  static final String CLIENT_IP = "10.250.1.2";
  static final String SERVER_IP = "10.250.2.2";
  static final int CONN_PORT = 9000;
  static final int IPERF_PORT = 5201;

  /** cpuUsPerConn: CPU time (all cores, user + system + softirq) per connection made, a cost that scheduling noise barely moves. */
  record Sample(double connPerSec, double cpuUsPerConn, double udpPps, double tcpGbps) {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Map<String, Supplier<String>> known = LineRateConfigs.configs();
    boolean paired = args.length > 2 && args[2].equals("abba");
    Map<String, String> configs = new LinkedHashMap<>();
    for (String name : paired ? LineRatePairs.CONFIGS
        : args.length > 2 ? LineRateConfigs.select(args[2], known.keySet()) : known.keySet()) {
      configs.put(name, known.get(name).get());
    }
    Map<String, List<Sample>> samples = new LinkedHashMap<>();
    configs.keySet().forEach(k -> samples.put(k, new ArrayList<>()));
    List<Map<String, List<Sample>>> blocks = new ArrayList<>();
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
      for (int r = 0; paired && r < rounds; r++) {
        Map<String, List<Sample>> block = new LinkedHashMap<>();
        for (String name : LineRatePairs.blockOrder(LineRatePairs.CONFIGS)) {
          Sample s = measure(configs.get(name), seconds);
          block.computeIfAbsent(name, k -> new ArrayList<>()).add(s);
          System.err.printf("block %d %-16s %,10.0f conn/s %6.1f us CPU/conn %,12.0f udp pps %6.2f Gbit/s%n", r + 1,
              name, s.connPerSec(), s.cpuUsPerConn(), s.udpPps(), s.tcpGbps());
        }
        blocks.add(block);
      }
      for (int r = 0; !paired && r < rounds; r++) {
        // each round starts one configuration later, so none always follows the same neighbour
        // (freeing a 10k-rule chain or a 100k-element set keeps the kernel busy for a moment)
        java.util.Collections.rotate(order, r == 0 ? 0 : -1);
        for (var c : order) {
          Sample s = measure(c.getValue(), seconds);
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
    if (paired) {
      writePaired(blocks, seconds);
      return;
    }
    write(samples, rounds, seconds, samples.keySet().equals(LineRateConfigs.configs().keySet()) ? "" : " " + String.join(",",
        samples.keySet()));
  }

  private static Sample measure(String ruleset, int seconds) throws Exception {
    apply(ruleset);
    Thread.sleep(1000); // let the previous ruleset's teardown settle before measuring
    double[] conn = connPerSec(seconds);
    return new Sample(conn[0], conn[1], udpPps(seconds), tcpGbps(seconds));
  }

  private static void writePaired(List<Map<String, List<Sample>>> blocks, int seconds) throws IOException {
    String md = "\n## Line rate, paired blocks (" + LocalDate.now() + ")\n\n" + Machine.describe() + "\n"
        + "Command: `scripts/bench.sh line-rate " + blocks.size() + " " + seconds + " abba` (as root). The topology "
        + "and measurements of the sections above (" + seconds + " s each); " + blocks.size() + " blocks, each running "
        + String.join(" ", LineRatePairs.blockOrder(LineRatePairs.CONFIGS)) + " (palindrome order, so a drift linear "
        + "over a block cancels from each configuration's mean); per block, the firewall's mean over the baseline's "
        + "mean; the interval is a t-interval of the blocks' log-ratios. A verdict is read from the interval: met, "
        + "missed, or inconclusive when it straddles the goal.\n\n" + LineRatePairs.section(blocks);
    System.out.print(md);
    Path results = Path.of(System.getProperty("palisade.results", "bench/RESULTS.md"));
    Files.writeString(results, md, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
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

  /** The median, or NaN for a configuration this run did not measure. */
  private static double median(List<Sample> s, java.util.function.ToDoubleFunction<Sample> f) {
    if (s == null) {
      return Double.NaN;
    }
    double[] v = s.stream().mapToDouble(f).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  /** value / base, or "-" when the base was not measured in this run. */
  private static String ratio(double value, double base) {
    return Double.isNaN(base) ? "-" : String.format(java.util.Locale.ROOT, "%.3f", value / base);
  }

  /** @param selection "" for a run of every configuration, else " a,b,c" (the third argument) */
  private static void write(Map<String, List<Sample>> samples, int rounds, int seconds, String selection)
      throws IOException {
    List<Sample> none = samples.get("none");
    List<Sample> ct = samples.get("ct-only");
    double noneConn = median(none, Sample::connPerSec);
    double ctConn = median(ct, Sample::connPerSec);
    double ctCpu = median(ct, Sample::cpuUsPerConn);
    double noneUdp = median(none, Sample::udpPps);
    double ctUdp = median(ct, Sample::udpPps);
    double noneTcp = median(none, Sample::tcpGbps);
    StringBuilder md = new StringBuilder();
    // LineRateChart draws from the newest full run's heading: a selection's must not read the same
    md.append(selection.isEmpty() ? "\n## Line rate through one node (" : "\n## Line rate, selected configurations (")
        .append(LocalDate.now()).append(")\n\n");
    md.append(Machine.describe()).append("\n");
    md.append("Command: `scripts/bench.sh line-rate ").append(rounds).append(' ').append(seconds).append(selection)
        .append("` (as root). ")
        .append("Client netns -> node netns (forwarding, the ruleset under test) -> server netns, veth pairs. ")
        .append("Configurations interleaved round-robin, ").append(rounds).append(" rounds, median shown; ")
        .append(seconds).append(" s per measurement. conn/s: 4 client threads connect and reset (SO_LINGER 0), ")
        .append("the server accepts; UDP: iperf3 -u -l 64 -b 0, datagrams received per second; TCP: iperf3 throughput. ")
        .append("palisade-N: the renderer's ruleset with the server enforced and N allowed tuples (10,000 peer addresses); ")
        .append("linear-N: N per-pair accept rules, the client's last; admin-N: palisade-100 with N Admin-tier ")
        .append("ClusterNetworkPolicies (4 rules each over other peers and ports, plus one floor policy so that the ")
        .append("tier's rules exist at N = 0) compiled by the agent's pipeline; the measured connection is accepted by ")
        .append("the allow-list after both Admin set lookups miss. Client, server, forwarding and the generator ")
        .append("share the same 2 cores, so absolute figures are low; the ratios are the result.\n\n");
    md.append("| config | conn/s | / none | / ct-only | CPU us/conn | / ct-only | UDP 64B pps | / none | / ct-only "
        + "| TCP Gbit/s | / none |\n").append("|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (var e : samples.entrySet()) {
      double c = median(e.getValue(), Sample::connPerSec);
      double cpu = median(e.getValue(), Sample::cpuUsPerConn);
      double u = median(e.getValue(), Sample::udpPps);
      double t = median(e.getValue(), Sample::tcpGbps);
      md.append(String.format("| %s | %,.0f | %s | %s | %.1f | %s | %,.0f | %s | %s | %.2f | %s |%n", e.getKey(), c,
          ratio(c, noneConn), ratio(c, ctConn), cpu, ratio(cpu, ctCpu), u, ratio(u, noneUdp), ratio(u, ctUdp), t,
          ratio(t, noneTcp)));
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
    md.append(LineRateIntervals.section(samples));
    List<Sample> full = samples.get("palisade-100000");
    if (full != null && ct != null && none != null) {
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
    if (selection.isEmpty()) {
      LineRateChart.draw(results, results.resolveSibling("line-rate.png"));
    }
  }
}
