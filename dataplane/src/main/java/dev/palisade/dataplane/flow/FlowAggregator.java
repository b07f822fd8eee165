package dev.palisade.dataplane.flow;

import dev.palisade.model.FlowKey;
import dev.palisade.model.FlowRecord;
import dev.palisade.model.Protocol;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Connections -> flow records: one record per (source identity, destination identity, protocol,
 * server port) per reporting interval, counting connections, with first/last seen and a few
 * example pods. The client's ephemeral port is dropped here and never reaches a key.
 */
public final class FlowAggregator {
  private static final class Acc {
    long count;
    long first = Long.MAX_VALUE;
    long last;
    final Set<String> src = new LinkedHashSet<>();
    final Set<String> dst = new LinkedHashSet<>();
  }

  private final Map<FlowKey, Acc> pending = new HashMap<>();

  public synchronized void add(long srcIdentity, String srcPod, long dstIdentity, String dstPod, Protocol protocol,
      int port, long at) {
    add(srcIdentity, srcPod, dstIdentity, dstPod, protocol, port, null, at);
  }

  /** As above for a flow to the world, told apart by {@code outside} (dns:NAME or the address; see FlowKey). */
  public synchronized void add(long srcIdentity, String srcPod, long dstIdentity, String dstPod, Protocol protocol,
      int port, String outside, long at) {
    Acc a = pending.computeIfAbsent(new FlowKey(srcIdentity, dstIdentity, protocol, port, outside), k -> new Acc());
    a.count++;
    a.first = Math.min(a.first, at);
    a.last = Math.max(a.last, at);
    if (srcPod != null && a.src.size() < FlowRecord.MAX_EXAMPLES) {
      a.src.add(srcPod);
    }
    if (dstPod != null && a.dst.size() < FlowRecord.MAX_EXAMPLES) {
      a.dst.add(dstPod);
    }
  }

  /** Takes everything gathered since the last drain. */
  public synchronized List<FlowRecord> drain() {
    List<FlowRecord> out = new ArrayList<>(pending.size());
    pending.forEach((k, a) -> out.add(new FlowRecord(k, a.count, a.first, a.last, List.copyOf(a.src), List.copyOf(a.dst))));
    pending.clear();
    return out;
  }

  public synchronized int size() {
    return pending.size();
  }
}
