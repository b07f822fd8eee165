package dev.palisade.dataplane.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.dataplane.dns.DnsAnswers.Resolved;
import dev.palisade.dataplane.dns.DnsWire.Rr;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class DnsAnswersTest {
  /** An IPv4 + UDP packet from 10.96.0.10:53 to {@code client}:40000 carrying {@code dns}. */
  static byte[] ipv4(String client, byte[] dns) {
    byte[] p = new byte[28 + dns.length];
    p[0] = 0x45;
    p[2] = (byte) (p.length >> 8);
    p[3] = (byte) p.length;
    p[8] = 64;
    p[9] = 17;
    byte[] src = {10, 96, 0, 10};
    System.arraycopy(src, 0, p, 12, 4);
    String[] c = client.split("\\.");
    for (int i = 0; i < 4; i++) {
      p[16 + i] = (byte) Integer.parseInt(c[i]);
    }
    p[20] = 0;
    p[21] = 53;
    p[22] = (byte) (40000 >> 8);
    p[23] = (byte) 40000;
    int udpLen = 8 + dns.length;
    p[24] = (byte) (udpLen >> 8);
    p[25] = (byte) udpLen;
    System.arraycopy(dns, 0, p, 28, dns.length);
    return p;
  }

  /** The same over IPv6 from fd00::10 to fd00::5. */
  static byte[] ipv6(byte[] dns) {
    byte[] p = new byte[48 + dns.length];
    p[0] = 0x60;
    int payload = 8 + dns.length;
    p[4] = (byte) (payload >> 8);
    p[5] = (byte) payload;
    p[6] = 17;
    p[7] = 64;
    p[8] = (byte) 0xfd;
    p[23] = 0x10;
    p[24] = (byte) 0xfd;
    p[39] = 0x05;
    p[41] = 53;
    p[44] = (byte) (payload >> 8);
    p[45] = (byte) payload;
    System.arraycopy(dns, 0, p, 48, dns.length);
    return p;
  }

  @Test
  void aAndAaaaAnswersOfTheQuestionWithCompressedOwners() {
    byte[] dns = DnsWire.response(7, "API.Payments.example", List.of(
        new Rr("API.Payments.example", "A", 60, "203.0.113.7"),
        new Rr("api.payments.example", "A", 30, "203.0.113.8"),
        new Rr("API.Payments.example", "AAAA", 60, "2001:db8::7")));
    DnsAnswers.Result r = DnsAnswers.parse(ipv4("10.244.1.5", dns));
    assertTrue(r.ok(), r.refusal());
    assertEquals("10.244.1.5", r.answer().client());
    assertEquals("api.payments.example", r.answer().name());
    assertEquals(List.of(new Resolved("203.0.113.7", 60), new Resolved("203.0.113.8", 30),
        new Resolved("2001:db8:0:0:0:0:0:7", 60)), r.answer().addresses());
    assertEquals(0xc0, dns[12 + "API.Payments.example".length() + 2 + 4] & 0xff, "the first answer's owner is a compression pointer");
  }

  @Test
  void cnameChainsAttributeAddressesToTheQuestionWithTheShortestTtl() {
    byte[] dns = DnsWire.response(1, "www.shop.example", List.of(
        new Rr("www.shop.example", "CNAME", 20, "shop.cdn.example"),
        new Rr("shop.cdn.example", "CNAME", 300, "edge1.cdn.example"),
        new Rr("edge1.cdn.example", "A", 120, "198.51.100.1"),
        new Rr("unrelated.example", "A", 120, "198.51.100.99")));
    DnsAnswers.Result r = DnsAnswers.parse(ipv4("10.244.1.5", dns));
    assertTrue(r.ok(), r.refusal());
    assertEquals("www.shop.example", r.answer().name());
    assertEquals(List.of(new Resolved("198.51.100.1", 20)), r.answer().addresses(),
        "the off-chain record is not attributed; the chain's shortest TTL wins");
  }

  @Test
  void ipv6Packets() {
    byte[] dns = DnsWire.response(1, "a.example", List.of(new Rr("a.example", "A", 5, "192.0.2.1")));
    DnsAnswers.Result r = DnsAnswers.parse(ipv6(dns));
    assertTrue(r.ok(), r.refusal());
    assertEquals("fd00:0:0:0:0:0:0:5", r.answer().client());
    assertEquals(List.of(new Resolved("192.0.2.1", 5)), r.answer().addresses());
  }

  @Test
  void everyTruncationIsRefusedNotThrown() {
    byte[] full = ipv4("10.244.1.5", DnsWire.response(9, "www.shop.example", List.of(
        new Rr("www.shop.example", "CNAME", 20, "edge.cdn.example"),
        new Rr("edge.cdn.example", "A", 120, "198.51.100.1"))));
    for (int n = 0; n < full.length; n++) {
      byte[] cut = Arrays.copyOf(full, n);
      // the IP length still claims the full packet: the parser must use what is there
      DnsAnswers.Result r = DnsAnswers.parse(cut);
      assertFalse(r.ok(), "a packet cut at " + n + " bytes was accepted");
      assertNotNull(r.refusal());
    }
    assertTrue(DnsAnswers.parse(full).ok());
  }

  @Test
  void garbageAndLoopsAreRefused() {
    byte[] dns = DnsWire.response(1, "a.example", List.of(new Rr("a.example", "A", 5, "192.0.2.1")));
    byte[] loop = dns.clone();
    // the answer's owner pointer (at 12 + question length) now points at itself
    int owner = 12 + "a.example".length() + 2 + 4;
    loop[owner] = (byte) 0xc0;
    loop[owner + 1] = (byte) owner;
    assertEquals("compression pointer does not point backwards", DnsAnswers.parse(ipv4("10.0.0.1", loop)).refusal());
    byte[] query = ipv4("10.0.0.1", DnsWire.query(1, "a.example"));
    assertEquals("a query, not a response", DnsAnswers.parse(query).refusal());
    byte[] tcp = ipv4("10.0.0.1", dns);
    tcp[9] = 6;
    assertEquals("not a UDP packet", DnsAnswers.parse(tcp).refusal());
    java.util.Random random = new java.util.Random(22);
    for (int i = 0; i < 2000; i++) {
      byte[] noise = ipv4("10.0.0.1", dns);
      for (int k = 0; k < 4; k++) {
        noise[28 + random.nextInt(dns.length)] = (byte) random.nextInt(256);
      }
      DnsAnswers.parse(noise); // must not throw whatever the bytes say
    }
    assertFalse(DnsAnswers.parse(null).ok());
  }
}
