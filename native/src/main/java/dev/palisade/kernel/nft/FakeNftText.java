package dev.palisade.kernel.nft;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The little {@link FakeNftables} reads out of nft text: the sets ({@code @name}) and chains
 * ({@code jump}/{@code goto} name) a rule or verdict refers to, an element's key without its
 * timeout or comment, and a base chain's priority. It does not parse rule expressions: nft syntax
 * errors only show on the kernel, which the contract tests cover.
 */
final class FakeNftText {
  private static final Pattern SET_REF = Pattern.compile("@([A-Za-z][A-Za-z0-9_]*)");
  private static final Pattern CHAIN_REF = Pattern.compile("\\b(?:jump|goto)\\s+([A-Za-z][A-Za-z0-9_]*)");
  private static final Pattern PRIORITY = Pattern.compile("([a-z]+)?\\s*(?:([+-])?\\s*(\\d+))?");
  private static final Pattern ELEMENT_OPTIONS = Pattern.compile(" (timeout|expires|comment) .*$");

  private FakeNftText() {}

  /** The sets {@code text} reads, in order of mention. */
  static List<String> setRefs(String text) {
    return names(SET_REF.matcher(text));
  }

  /** The chains {@code text} jumps or goes to, in order of mention. */
  static List<String> chainRefs(String text) {
    return names(CHAIN_REF.matcher(text));
  }

  /** Whether {@code text} reads set {@code name} (the cheap test first: most rules read no set). */
  static boolean readsSet(String text, String name) {
    return text.contains("@" + name) && setRefs(text).contains(name);
  }

  private static List<String> names(Matcher m) {
    return m.results().map(r -> r.group(1)).toList();
  }

  /**
   * An element's identity: its text without {@code timeout}, {@code expires} or {@code comment}.
   * As in the kernel, {@code K timeout 30s} and a later {@code delete element K} are one element.
   */
  static String elementKey(String text) {
    return ELEMENT_OPTIONS.matcher(text).replaceFirst("");
  }

  /** {@code text} with its runs of white space as one space, and none at the ends. */
  static String normalize(String text) {
    return text.strip().replaceAll("\\s+", " ");
  }

  /**
   * A base chain's priority: a number, a name ({@code filter}, {@code mangle}, ...) or a name
   * plus or minus a number, as nft reads it.
   *
   * @throws FakeRefusal if it is none of these
   */
  static int priority(String text) {
    Matcher m = PRIORITY.matcher(text.strip());
    if (!m.matches()) {
      throw FakeRefusal.syntax("priority '" + text + "'");
    }
    int base = 0;
    if (m.group(1) != null) {
      Integer named = TableState.priorityNames().get(m.group(1));
      if (named == null) {
        throw FakeRefusal.syntax("unknown priority name '" + m.group(1) + "'");
      }
      base = named;
    }
    int offset = m.group(3) == null ? 0 : Integer.parseInt(m.group(3));
    return "-".equals(m.group(2)) ? base - offset : base + offset;
  }
}
