package dev.palisade.dataplane.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What the renderer writes and what the kernel lists back (nft 1.0.6 JSON) meet in one text. */
class ElementTextTest {
  private static final String TUPLE = "ipv4_addr . inet_proto . inet_service";

  @ParameterizedTest(name = "{1} ~ {2}")
  @CsvSource(delimiter = '|', textBlock = """
      ipv4_addr                 | 10.244.0.1                          | 10.244.0.1
      ipv4_addr                 | 10.2.0.0-10.2.0.255                 | 10.2.0.0/24
      ipv4_addr                 | 10.2.0.0/24                         | 10.2.0.0/24
      ipv4_addr                 | 10.2.0.7/24                         | 10.2.0.0/24
      ipv4_addr                 | 10.2.0.7/32                         | 10.2.0.7
      ipv4_addr                 | 10.2.0.7-10.2.0.7                   | 10.2.0.7
      ipv4_addr                 | 10.1.0.0-10.1.0.12                  | 10.1.0.0-10.1.0.12
      ipv4_addr                 | 0.0.0.0/0                           | 0.0.0.0/0
      ipv4_addr . inet_proto . inet_service | 10.244.0.0-10.244.0.12 . tcp . 9090-9091 | 10.244.0.0-10.244.0.12 . tcp . 9090-9091
      ipv4_addr . inet_proto . inet_service | 10.2.0.0-10.2.0.255 . 6 . 80-80 | 10.2.0.0/24 . tcp . 80
      ipv4_addr . inet_proto . inet_service | 10.0.0.5  .  udp . 053        | 10.0.0.5 . udp . 53
      ipv4_addr                 | not-an-address                      | not-an-address
      """)
  void setElementsMeetInCanonicalText(String type, String written, String canonical) {
    assertEquals(canonical, ElementText.canonical(type, false, written));
  }

  @ParameterizedTest(name = "{0} ~ {1}")
  @CsvSource(delimiter = '|', textBlock = """
      10.1.0.5 : jump in_5        | 10.1.0.5 : jump in_5
      10.1.0.5 :   jump   in_5    | 10.1.0.5 : jump in_5
      10.1.0.5/32 : jump in_5     | 10.1.0.5 : jump in_5
      10.1.0.5 : drop             | 10.1.0.5 : drop
      """)
  void verdictMapEntriesMeetInCanonicalText(String written, String canonical) {
    assertEquals(canonical, ElementText.canonical("ipv4_addr : verdict", true, written));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      10.2.0.0/24 . tcp . 80      | 167903232 | 167903487 | 80 | 80
      10.0.0.1 . udp . 1000-2000  | 167772161 | 167772161 | 1000 | 2000
      """)
  void rangesOfEachPartForOverlapChecks(String element, long ipFrom, long ipTo, long portFrom, long portTo) {
    long[][] r = ElementText.ranges(TUPLE, ElementText.canonical(TUPLE, false, element));
    assertEquals(ipFrom, r[0][0]);
    assertEquals(ipTo, r[0][1]);
    assertEquals(null, r[1], "a protocol is compared by text");
    assertEquals(portFrom, r[2][0]);
    assertEquals(portTo, r[2][1]);
  }
}
