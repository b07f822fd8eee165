package dev.palisade.lab.kube.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.palisade.lab.kube.proxy.ServiceWatch;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The cluster DNS answering names of the outside zone: addresses, TTL, replacement, other types. */
class OutsideZoneTest {
  private static final ServiceWatch.Snapshot CLUSTER = LabDnsServerTest.CLUSTER;

  private static byte[] ask(OutsideZone zone, String name, int type) {
    byte[] q = DnsMessage.query(7, name, type);
    return LabDnsServer.respond(q, q.length, CLUSTER, zone).orElseThrow();
  }

  /** The TTL of the first answer record (the layout DnsMessage.answer writes: owner pointer first). */
  private static long firstTtl(byte[] r, String name) {
    int p = 12 + name.length() + 2 + 4 + 2 + 2 + 2;
    return ((r[p] & 0xffL) << 24) | ((r[p + 1] & 0xffL) << 16) | ((r[p + 2] & 0xffL) << 8) | (r[p + 3] & 0xffL);
  }

  @Test
  void answersItsNamesWithTheirAddressesAndTtlAndReplacesThemWhole() {
    OutsideZone zone = new OutsideZone();
    String name = "api.payments.example";
    assertEquals(DnsMessage.REFUSED, DnsMessage.rcode(ask(zone, name, DnsMessage.TYPE_A)), "not in the zone yet");

    zone.set(name, List.of("203.0.113.10"), 2);
    byte[] r = ask(zone, "API.Payments.example", DnsMessage.TYPE_A);
    assertEquals(DnsMessage.NOERROR, DnsMessage.rcode(r));
    assertEquals(List.of("203.0.113.10"), DnsMessage.addresses(r, r.length));
    assertEquals(2, firstTtl(r, name));

    zone.set(name, List.of("203.0.113.11", "198.51.100.7"), 2);
    r = ask(zone, name, DnsMessage.TYPE_A);
    assertEquals(List.of("203.0.113.11", "198.51.100.7"), DnsMessage.addresses(r, r.length));

    byte[] aaaa = ask(zone, name, 28);
    assertEquals(DnsMessage.NOERROR, DnsMessage.rcode(aaaa), "the name exists: AAAA is empty, not an error");
    assertEquals(List.of(), DnsMessage.addresses(aaaa, aaaa.length));

    zone.set(name, List.of(), 2);
    r = ask(zone, name, DnsMessage.TYPE_A);
    assertEquals(DnsMessage.NOERROR, DnsMessage.rcode(r));
    assertEquals(List.of(), DnsMessage.addresses(r, r.length));
  }

  @Test
  void clusterNamesStillComeFromTheCluster() {
    OutsideZone zone = new OutsideZone();
    zone.set("api.payments.example", List.of("203.0.113.10"), 2);
    byte[] r = ask(zone, "web.shop.svc.cluster.local", DnsMessage.TYPE_A);
    assertEquals(List.of("10.96.0.2"), DnsMessage.addresses(r, r.length));
  }

  @Test
  void refusesANegativeTtl() {
    var e = assertThrows(IllegalArgumentException.class, () -> new OutsideZone().set("a.example", List.of(), -1));
    assertEquals("TTL must be 0 or more seconds, not -1", e.getMessage());
  }
}
