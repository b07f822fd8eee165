package dev.palisade.dataplane.dns;

import dev.palisade.dataplane.render.RulesetRenderer;
import dev.palisade.kernel.nfqueue.PacketQueue;
import dev.palisade.kernel.nfqueue.PacketQueue.Verdict;
import dev.palisade.kernel.nft.NftException;
import dev.palisade.kernel.nft.NftObject;
import dev.palisade.kernel.nft.Nftables;
import dev.palisade.kernel.nft.Transaction;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DNS hold: decides each DNS answer the kernel queued on its way to a local pod. Before the
 * answer is released it records what the pod resolved ({@link ResolvedNames}, for flow
 * attribution) and, if the pod's approved names match, adds the addresses to the fqdn4 set in
 * one small transaction of its own (never the full sync path), so the pod's first connection
 * after the answer finds them there.
 *
 * <p>Every answer is released (DNS stays failsafe), whatever happens here: a packet that cannot
 * be read, a failed kernel write, a handler bug. Releasing without the element is fail-closed:
 * the answer arrives but the connection it would have opened stays dropped.
 *
 * <p>Thread contract: called only on the queue's thread. {@code nft} may be the agent's own
 * instance (it serialises calls on its thread, and its table watch does not report commits made
 * through itself as foreign changes).
 */
public final class DnsHold implements PacketQueue.Handler {
  private static final Logger LOG = LoggerFactory.getLogger(DnsHold.class);

  private final Nftables nft;
  private final ResolvedNames names;
  private final Supplier<NameGrants> grants;
  private final LongSupplier clockMillis;
  private final AtomicLong answers = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong elementsAdded = new AtomicLong();
  private final AtomicLong writeFailures = new AtomicLong();

  public DnsHold(Nftables nft, ResolvedNames names, Supplier<NameGrants> grants, LongSupplier clockMillis) {
    this.nft = nft;
    this.names = names;
    this.grants = grants;
    this.clockMillis = clockMillis;
  }

  @Override
  public Verdict onPacket(byte[] packet) {
    DnsAnswers.Result r = DnsAnswers.parse(packet);
    if (!r.ok()) {
      refused.incrementAndGet();
      LOG.debug("DNS hold: released an unreadable answer: {}", r.refusal());
      return Verdict.ACCEPT;
    }
    answers.incrementAndGet();
    DnsAnswers.Answer a = r.answer();
    long now = clockMillis.getAsLong();
    for (DnsAnswers.Resolved x : a.addresses()) {
      names.record(a.client(), a.name(), x.address(), x.ttlSeconds(), now);
    }
    List<FqdnElements.Element> elements = FqdnElements.of(a, grants.get().rulesFor(a.client()), names.graceSeconds());
    if (elements.isEmpty()) {
      return Verdict.ACCEPT;
    }
    Transaction tx = new Transaction(RulesetRenderer.FAMILY, RulesetRenderer.TABLE);
    for (FqdnElements.Element e : elements) {
      tx.add(NftObject.Element.of(RulesetRenderer.FQDN_SET, e.text()));
    }
    try {
      nft.run(tx);
      elementsAdded.addAndGet(elements.size());
    } catch (NftException | IllegalStateException e) {
      writeFailures.incrementAndGet();
      LOG.warn("DNS hold: could not add {} for {} ({}): released without them, so they stay closed: {}",
          elements.size() == 1 ? "1 element" : elements.size() + " elements", a.client(), a.name(), e.getMessage());
    }
    return Verdict.ACCEPT;
  }

  public long answers() {
    return answers.get();
  }

  public long refused() {
    return refused.get();
  }

  public long elementsAdded() {
    return elementsAdded.get();
  }

  public long writeFailures() {
    return writeFailures.get();
  }
}
