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
 * The token reader ({@link NftJson}) against the whole-tree reader it replaced
 * ({@link TreeListingReader}): the same {@link TableState} for a listing the kernel printed, for a
 * large generated one with every element shape the renderer's sets take, and for shapes nft does
 * not print; and a clear error, never a table, for text that is not a listing.
 */
class NftJsonStreamingTest {

  /** nft 1.0.6 / kernel 6.18, {@code nft -j list table}: golden/three-groups.nft plus sets of every kind. */
  private static String kernelListing() throws IOException {
    try (InputStream in = NftJsonStreamingTest.class.getResourceAsStream("/nft/listing-kernel-6.18.json")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void aKernelListingReadsAsTheTreeReadIt() throws IOException {
    String json = kernelListing();
    TableState streamed = NftJson.parseTable(json, "inet", "palisade");
    assertEquals(TreeListingReader.parseTable(json, "inet", "palisade"), streamed);
    // and what both read is what nft's text syntax writes
    assertEquals(Set.of("10.1.0.0/24 . tcp . 80-90", "10.2.0.0-10.2.0.9 . udp . 53", "10.3.0.7 . tcp . 443"),
        elements(streamed, "extra_ranges"));
    assertEquals(Set.of("10.7.0.1", "10.8.0.1-10.8.0.5", "10.9.0.0/16"), elements(streamed, "extra_prefix"));
    assertEquals(Set.of("10.0.0.1 . 80", "10.0.0.2 . 81"), elements(streamed, "extra_counter"));
    assertEquals(Set.of("10.0.0.3"), elements(streamed, "extra_timeout"));
    assertEquals(Set.of("10.0.0.4 . 22 : drop", "10.0.0.5 . 23 : goto out_300", "10.0.0.6 . 24 : accept"),
        elements(streamed, "extra_vmap"));
    assertEquals(Set.of("10.0.0.7 : 10.0.0.8"), elements(streamed, "extra_map"));
    assertEquals(Set.of("1000-2000", "3000"), elements(streamed, "extra_ports"));
    assertEquals(Set.of("10.244.0.10 : jump out_300"), elements(streamed, "egress_dispatch"));
    SetState vmap = streamed.set("extra_vmap").orElseThrow();
    assertEquals("ipv4_addr . inet_service : verdict", vmap.type());
    assertTrue(vmap.map());
    assertEquals(List.of("interval"), streamed.set("failsafe_dst").orElseThrow().flags());
    assertEquals(8, streamed.chain("pod_forward").orElseThrow().rules().size());
    assertEquals("filter", streamed.chain("pod_forward").orElseThrow().hook().orElseThrow().type());
  }

  @Test
  void aLargeListingOfEveryElementShapeReadsAsTheTreeReadIt() {
    String json = generated(20_000);
    TableState streamed = NftJson.parseTable(json, "inet", "palisade");
    assertEquals(TreeListingReader.parseTable(json, "inet", "palisade"), streamed);
    assertEquals(20_000, streamed.set("exact").orElseThrow().elements().size());
    assertTrue(streamed.set("exact").orElseThrow().elements().contains("10.0.0.2 . tcp . 80"));
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

  /** Shapes nft does not print: the token reader falls back on the tree's rules and agrees with it. */
  @ParameterizedTest
  @ValueSource(strings = {
      "",
      "[]",
      "null",
      "{}",
      "{\"nftables\": 5}",
      "{\"nftables\": {\"a\": {\"set\": {\"name\": \"s\", \"type\": \"ipv4_addr\", \"elem\": [\"10.0.0.1\"]}}}}",
      "{\"nftables\": [1, \"x\", [], {\"table\": {}}], \"other\": [1, 2]}",
      "{\"nftables\": [{\"set\": {\"name\": \"a\", \"elem\": [\"1\"]}}], \"nftables\": [{\"set\": {\"name\": \"b\"}}]}",
      "{\"nftables\": [{\"set\": {\"name\": \"s\", \"type\": \"x\", \"elem\": [\"a\"], \"elem\": [\"b\", \"c\"]}}]}",
      "{\"nftables\": [{\"set\": \"s\"}, {\"map\": [1]}]}",
      "{\"nftables\": [{\"set\": {\"name\": \"s\", \"elem\": {\"k1\": \"10.0.0.1\", \"k2\": {\"concat\": [1, 2]}}}}]}",
      "{\"nftables\": [{\"set\": {\"name\": \"s\", \"elem\": \"10.0.0.1\"}}]}",
      "{\"nftables\": [{\"set\": {\"name\": \"s\", \"map\": \"verdict\"}, \"map\": {\"name\": \"m\", \"type\": \"ipv4_addr\","
          + " \"map\": \"verdict\", \"elem\": [[\"10.0.0.1\", {\"accept\": null}], [], [\"10.0.0.2\"],"
          + " [\"10.0.0.3\", \"x\", \"y\"], \"10.0.0.4\"]}}]}",
      "{\"nftables\": [{\"chain\": {\"name\": \"c\"}, \"set\": {\"name\": \"s\"}}, {\"rule\": {\"chain\": \"c\","
          + " \"handle\": 4, \"comment\": \"hi\"}, \"map\": {\"name\": \"m\"}}]}",
      "{\"nftables\": [{\"set\": {\"name\": \"s\", \"type\": [\"ipv4_addr\", \"inet_service\"], \"flags\": [\"interval\","
          + " \"timeout\"], \"elem\": [true, false, null, 1.50, -0, 123456789012345678901234567890, 4294967296,"
          + " {}, {\"x\": 1, \"y\": [1, {\"z\": null}]}, {\"x\": 1, \"concat\": [\"a\", 2]}, {\"concat\": [\"a\"],"
          + " \"elem\": {\"val\": \"b\"}}, {\"elem\": {\"val\": \"b\"}, \"concat\": [\"a\"]}, {\"concat\": \"a\","
          + " \"concat\": \"b\"}, {\"elem\": {\"counter\": 1}}, {\"elem\": 7}, {\"elem\": {\"val\": 1, \"val\": 2}},"
          + " {\"prefix\": null}, {\"prefix\": {\"addr\": {\"concat\": [1, 2]}, \"len\": \"24\"}}, {\"range\": [1]},"
          + " {\"range\": {\"a\": 1}}, {\"jump\": {}}, {\"goto\": {\"target\": \"c\"}, \"drop\": null},"
          + " {\"return\": 1, \"continue\": [1, 2]}, \"\\u0041\\n\", [[1, 2], [3]]]}}]}",
  })
  void unusualShapesReadAsTheTreeReadThem(String json) {
    assertEquals(TreeListingReader.parseTable(json, "inet", "t"), NftJson.parseTable(json, "inet", "t"));
  }

  /**
   * Fail closed: text that is not a listing is an error naming the table and the place, never a
   * table (the whole-tree reader threw for each of these too), so a verification that cannot read
   * the kernel's table never reports it as holding what is wanted.
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
    assertThrows(RuntimeException.class, () -> TreeListingReader.parseTable(json, "inet", "palisade"));
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
