package dev.palisade.kernel;

import dev.palisade.kernel.netns.NetNs;
import dev.palisade.kernel.nft.LibNftables;
import dev.palisade.kernel.nft.NftObject;
import dev.palisade.kernel.nft.Transaction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Checks what Palisade needs from this machine: the kernel, CAP_NET_ADMIN, libnftables,
 * libnetfilter_conntrack and libnetfilter_queue (the DNS hold), network namespaces, and a real
 * nftables transaction and conntrack handle inside a throwaway {@code pal-} namespace. Each check says what it found.
 */
public final class Doctor {
  private Doctor() {}

  public record Check(String name, boolean ok, String detail) {}

  /** A probe that either returns what it found or throws saying what is wrong. */
  private static Check check(String name, Supplier<String> probe) {
    try {
      return new Check(name, true, probe.get());
    } catch (RuntimeException | LinkageError e) {
      return new Check(name, false, e.getMessage() == null ? e.toString() : e.getMessage());
    }
  }

  public static List<Check> runAll() {
    List<Check> checks = new ArrayList<>();
    checks.add(check("kernel", () -> read("/proc/sys/kernel/osrelease").strip()
        + " (java " + System.getProperty("java.version") + ")"));
    checks.add(check("CAP_NET_ADMIN", Doctor::netAdmin));
    checks.add(check("libnftables", () -> NativeLibraries.probe("nftables")));
    checks.add(check("libnetfilter_conntrack", () -> NativeLibraries.probe("netfilter_conntrack")));
    checks.add(check("libnetfilter_queue", () -> NativeLibraries.probe("netfilter_queue")));
    for (DoctorProbe extra : DoctorProbe.ALL) {
      checks.add(check(extra.name(), extra::run));
    }
    return checks;
  }

  private static String netAdmin() {
    for (String line : read("/proc/self/status").split("\n")) {
      if (line.startsWith("CapEff:")) {
        long caps = Long.parseUnsignedLong(line.substring(7).trim(), 16);
        if ((caps & (1L << 12)) == 0) {
          throw new IllegalStateException("missing: run as root (enforcing and the lab need it)");
        }
        return "present";
      }
    }
    throw new IllegalStateException("cannot tell: no CapEff in /proc/self/status");
  }

  static String read(String path) {
    try {
      return Files.readString(Path.of(path));
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot read " + path + ": " + e.getMessage(), e);
    }
  }

  /** Checks that need a throwaway namespace; each cleans up after itself. */
  interface DoctorProbe {
    String name();

    String run();

    List<DoctorProbe> ALL = List.of(new DoctorProbe() {
      @Override
      public String name() {
        return "network namespaces";
      }

      @Override
      public String run() {
        String name = "pal-doctor-" + ProcessHandle.current().pid();
        try (NetNs ns = NetNs.create(name)) {
          return "created and entered " + ns.name();
        } finally {
          NetNs.delete(name);
        }
      }
    }, new DoctorProbe() {
      @Override
      public String name() {
        return "nftables transaction";
      }

      /** A real ruleset of the shape the agent writes, applied and read back in a throwaway namespace. */
      @Override
      public String run() {
        String name = "pal-doctor-nft-" + ProcessHandle.current().pid();
        try (NetNs ns = NetNs.create(name); LibNftables nft = LibNftables.open(ns)) {
          long start = System.nanoTime();
          Transaction tx = new Transaction("inet", "paldoctor").add(NftObject.Table.of())
              .add(NftObject.NftSet.of("allowed", "ipv4_addr . inet_proto . inet_service", "interval"))
              .add(NftObject.Chain.base("pod_forward", "filter", "forward", "filter", "accept"))
              .add(NftObject.Rule.of("pod_forward", "ct state established,related accept"))
              .add(NftObject.Rule.of("pod_forward", "ip saddr . meta l4proto . th dport @allowed accept"))
              .add(NftObject.Rule.of("pod_forward", "log group 100 drop"));
          for (int i = 0; i < 1000; i++) {
            tx.add(NftObject.Element.of("allowed", "10.0." + (i >> 8) + "." + (i & 255) + " . tcp . 80"));
          }
          nft.run(tx);
          int n = nft.table("inet", "paldoctor").orElseThrow().set("allowed").orElseThrow().elements().size();
          return "applied and read back a 1000-element identity set in "
              + (System.nanoTime() - start) / 1_000_000 + " ms (" + n + " elements)";
        } finally {
          NetNs.delete(name);
        }
      }
    });
  }
}
