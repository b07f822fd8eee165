package dev.palisade.controller.persist;

import dev.palisade.model.WorkloadRef;
import dev.palisade.model.crd.CrdNames;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Pure: the object name of each part of a source workload's LearnedFlows, one for each (workload,
 * part) of a namespace. Part 1 keeps the name the object always had, KIND-NAME
 * ({@link CrdNames#objectName}), so that a source in one part, most of them, is where it was; part
 * n > 1 is KIND--pN-NAME. It used to be KIND-NAME-pN, which is also part 1 of a workload named
 * NAME-pN: the two sources wrote over each other's edges. A workload name begins with a letter or
 * digit, so no KIND-NAME has two dashes after the kind, and N ends at the first dash after it: no
 * two (workload, part) pairs get one name, whatever dots and dashes their names hold. No kind has a
 * dash, and an inbound object's name begins with {@code in-}, which is no kind.
 *
 * <p>An object stored before may still hold a name another source has now (web's part 2 as
 * deployment-web-p2 is where workload web-p2's part 1 goes): the writer does not write over it and
 * takes an {@link #alternative} for as long as it is there.
 */
final class LearnedFlowsNames {
  /** The longest object name the API server takes (a DNS-1123 subdomain). */
  static final int LONGEST = 253;

  private LearnedFlowsNames() {}

  /** The name of part {@code n} (from 1) of {@code w}'s edges. */
  static String part(WorkloadRef w, int n) {
    if (n < 1) {
      throw new IllegalArgumentException("part " + n + " of " + w + ": parts count from 1");
    }
    if (n == 1) {
      return CrdNames.objectName(w);
    }
    String name = kind(w) + "--p" + n + "-" + w.name();
    return name.length() <= LONGEST ? name : alternative(w, n, 0); // too long for the API server
  }

  /**
   * The {@code i}th other name of part {@code n} of {@code w}, for when its own holds another
   * source's object: KIND-- and 16 hex digits of a hash of (workload, part, i). Hex has no {@code p}
   * and the second dash follows the kind, so it is no {@link #part} name; two of them are the same
   * only by chance, and then the writer sees the other source in the stored object and tries i + 1.
   */
  static String alternative(WorkloadRef w, int n, int i) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256")
          .digest((w + " part " + n + " try " + i).getBytes(StandardCharsets.UTF_8));
      return kind(w) + "--" + HexFormat.of().formatHex(hash, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /**
   * Whether {@code name} is one these names give {@code w}'s parts: if not, the object is kept as
   * parts were named before (KIND-NAME-pN) and is deleted once the source's parts are written anew.
   */
  static boolean current(String name, WorkloadRef w) {
    return name.equals(CrdNames.objectName(w)) || name.startsWith(kind(w) + "--");
  }

  private static String kind(WorkloadRef w) {
    return w.kind().toLowerCase(Locale.ROOT);
  }
}
