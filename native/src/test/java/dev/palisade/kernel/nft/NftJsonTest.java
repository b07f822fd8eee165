package dev.palisade.kernel.nft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.kernel.nft.TableState.SetState;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * nft's JSON listing read into a {@link TableState}: a listing the kernel printed and a large
 * generated one with every element shape the renderer's sets take read as nft's text syntax
 * writes them, and text that is not a listing is a clear error, never a table.
 */
class NftJsonTest {

  /** nft 1.0.6 / kernel 6.18, {@code nft -j list table}: golden/three-groups.nft plus sets of every kind. */
  private static String kernelListing() throws IOException {
    try (InputStream in = NftJsonTest.class.getResourceAsStream("/nft/listing-kernel-6.18.json")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void aKernelListingReadsAsNftsTextSyntaxWritesIt() throws IOException {
    TableState read = NftJson.parseTable(kernelListing(), "inet", "palisade");
    assertEquals(Set.of("10.1.0.0/24 . tcp . 80-90", "10.2.0.0-10.2.0.9 . udp . 53", "10.3.0.7 . tcp . 443"),
        elements(read, "extra_ranges"));
    assertEquals(Set.of("10.7.0.1", "10.8.0.1-10.8.0.5", "10.9.0.0/16"), elements(read, "extra_prefix"));
    assertEquals(Set.of("10.0.0.1 . 80", "10.0.0.2 . 81"), elements(read, "extra_counter"));
    assertEquals(Set.of("10.0.0.3"), elements(read, "extra_timeout"));
    assertEquals(Set.of("10.0.0.4 . 22 : drop", "10.0.0.5 . 23 : goto out_300", "10.0.0.6 . 24 : accept"),
        elements(read, "extra_vmap"));
    assertEquals(Set.of("10.0.0.7 : 10.0.0.8"), elements(read, "extra_map"));
    assertEquals(Set.of("1000-2000", "3000"), elements(read, "extra_ports"));
    assertEquals(Set.of("10.244.0.10 : jump out_300"), elements(read, "egress_dispatch"));
    SetState vmap = read.set("extra_vmap").orElseThrow();
    assertEquals("ipv4_addr . inet_service : verdict", vmap.type());
    assertTrue(vmap.map());
    assertEquals(List.of("interval"), read.set("failsafe_dst").orElseThrow().flags());
    assertEquals(8, read.chain("pod_forward").orElseThrow().rules().size());
    assertEquals("filter", read.chain("pod_forward").orElseThrow().hook().orElseThrow().type());
  }

  @Test
  void aLargeListingOfEveryElementShapeReadsEveryElement() {
    TableState read = NftJson.parseTable(generated(20_000), "inet", "palisade");
    assertEquals(20_000, read.set("exact").orElseThrow().elements().size());
    assertTrue(read.set("exact").orElseThrow().elements().contains("10.0.0.2 . tcp . 80"));
    assertTrue(elements(read, "ranges").containsAll(Set.of("10.0.0.0/24 . tcp . 8000-8080",
        "10.1.1.1-10.1.1.9 . udp . 53", "10.2.2.7 . tcp . 443")), "prefix, range and an element with a counter");
    assertTrue(elements(read, "ingress_dispatch").containsAll(Set.of("10.244.0.0 : jump in_0", "10.244.0.1 : drop")));
    assertEquals(List.of(2L), read.chain("pod_forward").orElseThrow().rules().stream()
        .map(TableState.RuleState::handle).toList());
  }

  @Test
  void nftsOutputBufferReadInPlaceGivesTheSameTable() throws IOException {
    String json = kernelListing(); // 13 KB: more than one of the parser's reads
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    Pointer buffer = Memory.allocateDirect(Runtime.getSystemRuntime(), bytes.length + 100);
    buffer.put(0, bytes, 0, bytes.length);
    buffer.putByte(bytes.length, (byte) 0);
    buffer.putByte(bytes.length + 1, (byte) '{'); // past the NUL: not read
    NativeText text = new NativeText(buffer);
    assertEquals(bytes.length, text.length());
    assertEquals(NftJson.parseTable(json, "inet", "palisade"), NftJson.parseTable(text, "inet", "palisade"));
    assertEquals(TableState.class, NftJson.parseTable(new NativeText(null), "inet", "palisade").getClass());
  }

  /**
   * Fail closed: text that is not a listing is an error naming the table and the place, never a
   * table, so a verification that cannot read the kernel's table never reports it as holding what
   * is wanted.
   */
  @ParameterizedTest
  @ValueSource(strings = {
      "{\"nftables\": [{\"set\": {\"name\": \"s\", \"elem\": [\"10.0.0.1\", ",
      "{\"nftables\": [{\"set\": {\"name\": \"s\", \"elem\": [\"10.0.0.1\" \"10.0.0.2\"]}}]}",
      "{\"nftables\": []} ]",
      "{\"nftables\": []} {\"nftables\": []}",
      "Error: Could not process rule: No such file or directory",
      "{\"nftables\": [{\"map\": {\"name\": \"m\", \"elem\": [[\"10.0.0.1\", {\"jump\": {\"target\": {}}}]]}}]}",
  })
  void aListingThatIsNotJsonIsAClearError(String json) {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> NftJson.parseTable(json, "inet", "palisade"));
    assertTrue(e.getMessage().startsWith("cannot read nft's JSON listing of table inet palisade: "), e.getMessage());
  }

  @Test
  void aTruncatedListingNamesWhereItStops() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> NftJson.parseTable("{\"nftables\": [{\"set\": {\"name\": \"s\",\n \"elem\": [\"10.0", "inet", "palisade"));
    assertTrue(e.getMessage().contains("line 2"), e.getMessage());
  }

  /** A listing of sets as the renderer fills them, {@code n} elements in the largest. */
  static String generated(int n) {
    StringBuilder sb = new StringBuilder("{\"nftables\": [{\"metainfo\": {\"version\": \"1.0.6\", \"json_schema_version\": 1}},"
        + " {\"table\": {\"family\": \"inet\", \"name\": \"palisade\", \"handle\": 1}},"
        + " {\"chain\": {\"family\": \"inet\", \"table\": \"palisade\", \"name\": \"pod_forward\", \"handle\": 1,"
        + " \"type\": \"filter\", \"hook\": \"forward\", \"prio\": 0, \"policy\": \"accept\"}},"
        + " {\"rule\": {\"family\": \"inet\", \"table\": \"palisade\", \"chain\": \"pod_forward\", \"handle\": 2,"
        + " \"comment\": \"pal:digest:abc\", \"expr\": [{\"accept\": null}]}},");
    sb.append(" {\"set\": {\"family\": \"inet\", \"name\": \"exact\", \"table\": \"palisade\", \"type\": [\"ipv4_addr\","
        + " \"inet_proto\", \"inet_service\"], \"handle\": 3, \"elem\": [");
    for (int i = 0; i < n; i++) {
      int peer = i / 10;
      sb.append(i == 0 ? "" : ", ").append("{\"concat\": [\"10.").append(peer >> 14).append('.')
          .append(peer >> 7 & 127).append('.').append((peer & 127) * 2).append("\", \"")
          .append(i % 3 == 0 ? "udp" : "tcp").append("\", ").append(80 + i % 10 * 2).append("]}");
    }
    sb.append("]}}, {\"set\": {\"family\": \"inet\", \"name\": \"ranges\", \"table\": \"palisade\", \"type\":"
        + " [\"ipv4_addr\", \"inet_proto\", \"inet_service\"], \"handle\": 4, \"flags\": [\"interval\"], \"elem\": [");
    for (int i = 0; i < n / 10; i++) {
      sb.append(i == 0 ? "" : ", ").append(switch (i % 3) {
        case 0 -> "{\"concat\": [{\"prefix\": {\"addr\": \"10." + (i & 255) + ".0.0\", \"len\": 24}}, \"tcp\","
            + " {\"range\": [8000, 8080]}]}";
        case 1 -> "{\"concat\": [{\"range\": [\"10.1." + (i & 255) + ".1\", \"10.1." + (i & 255) + ".9\"]}, \"udp\", 53]}";
        default -> "{\"elem\": {\"val\": {\"concat\": [\"10.2." + (i & 255) + ".7\", \"tcp\", 443]},"
            + " \"counter\": {\"packets\": " + i + ", \"bytes\": " + i * 64L + "}}}";
      });
    }
    sb.append("]}}, {\"map\": {\"family\": \"inet\", \"name\": \"ingress_dispatch\", \"table\": \"palisade\", \"type\":"
        + " \"ipv4_addr\", \"handle\": 5, \"map\": \"verdict\", \"elem\": [");
    for (int i = 0; i < n / 100; i++) {
      sb.append(i == 0 ? "" : ", ").append("[\"10.244.").append(i >> 8 & 255).append('.').append(i & 255)
          .append("\", ").append(i % 2 == 0 ? "{\"jump\": {\"target\": \"in_" + i + "\"}}" : "{\"drop\": null}")
          .append(']');
    }
    return sb.append("]}}]}\n").toString();
  }

  private static Set<String> elements(TableState t, String set) {
    return Set.copyOf(t.set(set).orElseThrow().elements());
  }
}
