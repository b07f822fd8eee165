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
 * <p>When a sync takes names away ({@link #revoke}: an edge to a name un-approved or rejected, a
 * pattern narrowed, a pod gone), the elements the old names made from what each pod resolved are
 * deleted at once, not left to expire with their TTL. Adding an answer's elements and revoking
 * hold one lock, so an answer judged under the old names cannot add elements after the revoke.
 *
 * <p>Thread contract: {@link #onPacket} is called only on the queue's thread, {@link #revoke} on
 * the sync thread. {@code nft} may be the agent's own
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
  private final AtomicLong elementsRevoked = new AtomicLong();
  /** Guards the grants an answer is judged by against a revoke of them (see the class comment). */
  private final Object writing = new Object();
  /** Revoked keys whose delete failed: tried again with the next revoke (sync thread only). */
  private final java.util.Set<String> revokeLeft = new java.util.TreeSet<>();

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
    synchronized (writing) {
      add(a);
    }
    return Verdict.ACCEPT;
  }

  private void add(DnsAnswers.Answer a) {
    List<FqdnElements.Element> elements = FqdnElements.of(a, grants.get().rulesFor(a.client()), names.graceSeconds());
    if (elements.isEmpty()) {
      return;
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
  }

  /**
   * The grants changed from {@code before} to {@code after} (the grants supplier already returns
   * {@code after}): deletes, in one transaction, the fqdn4 elements {@code before} made from what
   * each pod resolved that {@code after} does not allow. An element that already expired is no
   * error ({@code destroy}). A failed delete is logged and tried again with the next revoke.
   */
  public void revoke(NameGrants before, NameGrants after) {
    synchronized (writing) {
      long now = clockMillis.getAsLong();
      java.util.Set<String> keys = new java.util.TreeSet<>(revokeLeft);
      for (String pod : before.pods()) {
        keys.addAll(FqdnElements.revoked(names.answersOf(pod, now), before.rulesFor(pod), after.rulesFor(pod)));
      }
      if (keys.isEmpty()) {
        return;
      }
      Transaction tx = new Transaction(RulesetRenderer.FAMILY, RulesetRenderer.TABLE);
      keys.forEach(k -> tx.destroy(NftObject.Element.of(RulesetRenderer.FQDN_SET, k)));
      try {
        nft.run(tx);
        elementsRevoked.addAndGet(keys.size());
        revokeLeft.clear();
      } catch (NftException | IllegalStateException e) {
        writeFailures.incrementAndGet();
        revokeLeft.addAll(keys);
        LOG.warn("DNS hold: could not delete {} revoked fqdn4 element(s) (they stay until their TTL, tried again next"
            + " sync): {}", keys.size(), e.getMessage());
      }
    }
  }

  public long elementsRevoked() {
    return elementsRevoked.get();
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
