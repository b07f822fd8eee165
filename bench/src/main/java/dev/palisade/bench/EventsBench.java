package dev.palisade.bench;

import dev.palisade.kernel.conntrack.Conntrack;
import dev.palisade.kernel.conntrack.ConntrackEvent;
import dev.palisade.kernel.conntrack.LibConntrack;
import dev.palisade.kernel.netns.NetNs;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Conntrack NEW events delivered vs connections made, at the highest rate the generator reaches,
 * for the agent's JNR listener (libnetfilter_conntrack, {@link LibConntrack#subscribe}) and for
 * {@code conntrack -E} as the reference, both listening to the same connections at once, in a
 * network namespace of its own (the connections go over its loopback; a ct rule turns tracking on).
 *
 * <p>Usage: {@code scripts/bench.sh events [SECONDS] [ROUNDS]} (as root).
 */
public final class EventsBench {
  private static final String NS = "pal-events";
  private static final int PORT = 9100;

  private EventsBench() {}

  record Round(long made, long jnr, long cli, long lostBursts, double connPerSec) {}

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    List<Round> results = new ArrayList<>();
    NetNs.delete(NS);
    try (NetNs ns = NetNs.create(NS)) {
      ns.exec("ip", "link", "set", "lo", "up");
      Path rules = Files.createTempFile("pal-events", ".nft");
      Files.writeString(rules, "table inet events {\n  chain out {\n    type filter hook output priority filter; "
          + "policy accept;\n    ct state new accept\n  }\n}\n");
      ns.exec("nft", "-f", rules.toString());
      Files.delete(rules);
      ServerSocketChannel server = ns.call(() -> ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", PORT), 4096));
      Thread acceptor = new Thread(() -> {
        while (true) {
          try (SocketChannel c = server.accept()) {
            // accepted and closed
          } catch (Exception e) {
            return;
          }
        }
      }, "events-accept");
      acceptor.setDaemon(true);
      acceptor.start();
      for (int r = 0; r < rounds; r++) {
        results.add(round(ns, seconds));
        Round x = results.get(r);
        System.err.printf(Locale.ROOT, "round %d: %,d connections (%,.0f/s); JNR listener %,d NEW events, conntrack -E %,d; "
            + "%d loss bursts%n", r + 1, x.made(), x.connPerSec(), x.jnr(), x.cli(), x.lostBursts());
      }
      server.close();
    } finally {
      NetNs.delete(NS);
    }
    write(results, seconds);
  }

  private static Round round(NetNs ns, int seconds) throws Exception {
    AtomicLong jnr = new AtomicLong();
    Process cli = new ProcessBuilder("ip", "netns", "exec", NS, "conntrack", "-E", "-e", "NEW", "-p", "tcp",
        "--dport", String.valueOf(PORT)).redirectErrorStream(false).start();
    AtomicLong cliLines = new AtomicLong();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(cli.getInputStream()))) {
        String line;
        while ((line = in.readLine()) != null) {
          if (line.contains("NEW") && line.contains("dport=" + PORT)) {
            cliLines.incrementAndGet();
          }
        }
      } catch (Exception e) {
        // the process ended
      }
    }, "conntrack-E");
    reader.start();
    try (Conntrack ct = ns.call(LibConntrack::open);
        AutoCloseable sub = ct.subscribe(e -> {
          if (e.type() == ConntrackEvent.Type.NEW && e.dstPort() == PORT) {
            jnr.incrementAndGet();
          }
        }, () -> { })) {
      Thread.sleep(500); // both listeners subscribed
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong made = new AtomicLong();
      ExecutorService pool = Executors.newFixedThreadPool(2);
      long t0 = System.nanoTime();
      for (int t = 0; t < 2; t++) {
        pool.submit(() -> ns.run(() -> {
          while (!stop.get()) {
            try (SocketChannel c = SocketChannel.open()) {
              c.setOption(StandardSocketOptions.SO_LINGER, 0);
              c.connect(new InetSocketAddress("127.0.0.1", PORT));
              made.incrementAndGet();
            } catch (Exception e) {
              // counted as not made
            }
          }
        }));
      }
      Thread.sleep(seconds * 1000L);
      stop.set(true);
      pool.shutdown();
      pool.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
      long t1 = System.nanoTime();
      Thread.sleep(2000); // let both listeners drain what the kernel queued
      cli.destroy();
      cli.waitFor();
      reader.join(5000);
      return new Round(made.get(), jnr.get(), cliLines.get(), ct.lostEventBursts(), made.get() / ((t1 - t0) / 1e9));
    }
  }

  private static void write(List<Round> rs, int seconds) throws Exception {
    StringBuilder rows = new StringBuilder();
    long made = 0;
    long jnr = 0;
    long cli = 0;
    long lost = 0;
    for (int i = 0; i < rs.size(); i++) {
      Round r = rs.get(i);
      made += r.made();
      jnr += r.jnr();
      cli += r.cli();
      lost += r.lostBursts();
      rows.append(String.format(Locale.ROOT, "| %d | %,d | %,.0f | %,d (%.4f) | %,d (%.4f) | %d |%n", i + 1, r.made(),
          r.connPerSec(), r.jnr(), r.jnr() / (double) r.made(), r.cli(), r.cli() / (double) r.made(), r.lostBursts()));
    }
    String md = String.format(Locale.ROOT, """

        ## Conntrack events: delivered vs connections made (%s)

        %s
        Command: `scripts/bench.sh events %d %d`. Two threads connect and reset as fast as they can to a server on the \
        loopback of a network namespace of its own (a ct rule turns tracking on) for %d s per round; the agent's JNR \
        listener (libnetfilter_conntrack, 8 MiB receive buffer) and `conntrack -E -e NEW` listen at the same time. \
        Counted: NEW events for the server port; ratio = events / connections made.

        | round | connections | conn/s | JNR listener NEW (ratio) | conntrack -E NEW (ratio) | JNR loss bursts (ENOBUFS) |
        |---|---|---|---|---|---|
        %s

        All rounds: JNR %.4f, conntrack -E %.4f of %,d connections; %d loss bursts.
        %s""", LocalDate.now(), Machine.describe(), seconds, rs.size(), seconds, rows.toString().stripTrailing(),
        jnr / (double) made, cli / (double) made, made, lost,
        Goal.line("0 conntrack events lost (JNR listener: events lost)", (double) Math.max(0, made - jnr), 0, false,
            "the listener fell behind the kernel's event rate (ENOBUFS bursts above); a bigger receive buffer or a "
            + "faster drain thread would be the fix"));
    Files.writeString(Path.of(System.getProperty("palisade.results", "bench/RESULTS.md")), md,
        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    System.out.print(md);
  }
}
