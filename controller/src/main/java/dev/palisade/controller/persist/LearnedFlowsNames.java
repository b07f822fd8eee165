package dev.palisade.controller.persist;

import dev.palisade.model.WorkloadRef;
import dev.palisade.model.crd.CrdNames;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Pure: the object name of each part of a {@link LearnedFlowsHolder}'s LearnedFlows, one for each
 * (holder, part) of a namespace. A workload's own edges: part 1 keeps the name the object always
 * had, KIND-NAME ({@link CrdNames#objectName}), so that a source in one part, most of them, is where
 * it was; part n > 1 is KIND--pN-NAME. It used to be KIND-NAME-pN, which is also part 1 of a
 * workload named NAME-pN: the two sources wrote over each other's edges. A workload name begins
 * with a letter or digit, so no KIND-NAME has two dashes after the kind, and N ends at the first
 * dash after it: no two (workload, part) pairs get one name, whatever dots and dashes their names
 * hold. No kind has a dash.
 *
 * <p>An outside source's edges into a workload take the same names after {@code in-SOURCE-} (the
 * source's dots and slash as dashes), which no kind begins with: part 1 is in-SOURCE-KIND-NAME, the
 * name such an object always had, part n > 1 in-SOURCE-KIND--pN-NAME. A source is {@code world} or
 * an IPv4 address or range, all digits but {@code world}: its dashes end where the kind, letters,
 * begins, so these names are as unambiguous as a workload's own.
 *
 * <p>An object stored before may still hold a name another source has now (web's part 2 as
 * deployment-web-p2 is where workload web-p2's part 1 goes), and an object anyone made may be
 * under any name: the writer does not write over it and takes an {@link #alternative} for as long
 * as it is there.
 */
final class LearnedFlowsNames {
  /** The longest object name the API server takes (a DNS-1123 subdomain). */
  static final int LONGEST = 253;

  private LearnedFlowsNames() {}

  /** The name of part {@code n} (from 1) of {@code h}'s edges. */
  static String part(LearnedFlowsHolder h, int n) {
    if (n < 1) {
      throw new IllegalArgumentException("part " + n + " of " + h + ": parts count from 1");
    }
    WorkloadRef w = h.workload();
    if (n == 1) {
      return first(h);
    }
    String name = prefix(h) + kind(w) + "--p" + n + "-" + w.name();
    return name.length() <= LONGEST ? name : alternative(h, n, 0); // too long for the API server
  }

  /** Part 1's name: where a holder in one part always was. */
  private static String first(LearnedFlowsHolder h) {
    String name = prefix(h) + CrdNames.objectName(h.workload());
    if (h.isInbound() && name.length() > LONGEST) { // as inbound objects were always named
      String hash = Integer.toHexString((h.source() + " " + h.workload()).hashCode());
      name = name.substring(0, LONGEST - hash.length() - 1) + "-" + hash;
    }
    return name;
  }

  /**
   * The {@code i}th other name of part {@code n} of {@code h}, for when its own holds another
   * source's object: KIND-- (after in-SOURCE- for an outside source) and 16 hex digits of a hash of
   * (holder, part, i). Hex has no {@code p} and the second dash follows the kind, so it is no
   * {@link #part} name; two of them are the same only by chance, and then the writer sees the
   * other source in the stored object and tries i + 1.
   */
  static String alternative(LearnedFlowsHolder h, int n, int i) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256")
          .digest((h.text() + " part " + n + " try " + i).getBytes(StandardCharsets.UTF_8));
      return prefix(h) + kind(h.workload()) + "--" + HexFormat.of().formatHex(hash, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /**
   * Whether {@code name} is one these names give {@code h}'s parts: if not, the object is kept as
   * parts were named before (KIND-NAME-pN) and is deleted once the holder's parts are written anew.
   */
  static boolean current(String name, LearnedFlowsHolder h) {
    return name.equals(first(h)) || name.startsWith(prefix(h) + kind(h.workload()) + "--");
  }

  /** What an outside source's names begin with; none for a workload's own. */
  private static String prefix(LearnedFlowsHolder h) {
    return h.isInbound() ? "in-" + h.source().replaceAll("[./]", "-") + "-" : "";
  }

  private static String kind(WorkloadRef w) {
    return w.kind().toLowerCase(Locale.ROOT);
  }
}
