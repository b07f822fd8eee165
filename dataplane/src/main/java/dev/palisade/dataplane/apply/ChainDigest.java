package dev.palisade.dataplane.apply;

import dev.palisade.dataplane.render.DesiredRuleset.Chain;
import dev.palisade.kernel.nft.NftObject.Rule;
import dev.palisade.kernel.nft.TableState.ChainState;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Pure: a short digest of a chain's rule texts, written as the comment of the chain's first rule,
 * so that after a restart the applier can tell a chain that holds exactly the rules it wants from
 * one that must be refilled. Rule texts cannot be compared with what the kernel lists: the kernel
 * rewrites expressions.
 *
 * <p>Why on the first rule and not on the chain: nft 1.0.6 accepts {@code comment} on a chain and
 * the kernel keeps it, but its JSON listing (and so {@code TableState.ChainState}) does not carry
 * chain comments; rule comments are listed. A chain matches when it has as many rules as wanted
 * and its first rule carries the digest (an empty chain matches an empty chain): a flush, a
 * deleted or an added rule is seen. A rule rewritten in place under the same count is not (the
 * nftables monitor sees that).
 */
final class ChainDigest {
  static final String PREFIX = "pal:";

  private ChainDigest() {}

  /** {@code pal:} + the first 16 hex characters of SHA-256 over the rule texts joined by newlines. */
  static String of(List<String> rules) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] d = sha.digest(String.join("\n", rules).getBytes(StandardCharsets.UTF_8));
      return PREFIX + HexFormat.of().formatHex(d, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** The rules to add to fill {@code c}: the first carries the digest of all of them. */
  static List<Rule> rules(Chain c) {
    List<Rule> out = new ArrayList<>(c.rules().size());
    for (int i = 0; i < c.rules().size(); i++) {
      String text = c.rules().get(i);
      if (i == 0) {
        if (text.contains(" comment \"")) {
          throw new IllegalArgumentException("chain " + c.name() + ": its first rule already has a comment, which "
              + "is where the applier keeps the chain's digest: '" + text + "'");
        }
        out.add(Rule.withComment(c.name(), text, of(c.rules())));
      } else {
        out.add(Rule.of(c.name(), text));
      }
    }
    return out;
  }

  /** Whether the kernel's chain holds the rules {@code want} has (as far as count and digest tell). */
  static boolean matches(ChainState have, Chain want) {
    if (have.rules().size() != want.rules().size()) {
      return false;
    }
    return want.rules().isEmpty() || have.rules().get(0).comment().filter(of(want.rules())::equals).isPresent();
  }
}
