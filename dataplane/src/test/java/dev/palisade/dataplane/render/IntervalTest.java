package dev.palisade.dataplane.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class IntervalTest {
  @Test
  void parsesDottedQuadsToTheirValue() {
    assertEquals(0L, Interval.parseIp("0.0.0.0"));
    assertEquals(0xffffffffL, Interval.parseIp("255.255.255.255"));
    assertEquals((10L << 24) | (244 << 16) | (1 << 8) | 7, Interval.parseIp("10.244.1.7"));
    assertEquals("10.244.1.7", Interval.ipString(Interval.parseIp("10.244.1.7")));
  }

  @Test
  void refusesAnythingElseNamingTheInput() {
    for (String bad : new String[] {"", "1.2.3", "1.2.3.4.5", "1.2.3.4.", ".1.2.3", "1..2.3", "256.1.1.1", "1.2.3.1000",
        "1.2.3.x", "1.2.3.-4", " 1.2.3.4", "1.2.3.4 ", "::1", "1.2.3.04a"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Interval.parseIp(bad), bad);
      assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
    }
  }

  @Test
  void anIpv6AddressIsNamedAsSuchWhereIpv4IsRequired() {
    var e = assertThrows(IllegalArgumentException.class, () -> Interval.ip("fd00:10:244::14"));
    assertEquals("bad IPv4 address 'fd00:10:244::14': an IPv6 address where IPv4 is required", e.getMessage());
  }

  @Test
  void cidrsKeepTheirChecks() {
    assertEquals(new Interval(Interval.parseIp("10.0.0.0"), Interval.parseIp("10.0.255.255")),
        Interval.cidr("10.0.0.0/16"));
    assertThrows(IllegalArgumentException.class, () -> Interval.cidr("10.0.0.1/16"));
    assertThrows(IllegalArgumentException.class, () -> Interval.cidr("10.0.0.0/33"));
  }
}
