package dev.palisade.dataplane.agent;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * The JVM's garbage collection time so far, summed over its collectors: read before and after a
 * sync or a pod start, the difference says how much of a slow one was the collector's pause (the
 * agent runs SerialGC: every collection stops the sync thread).
 */
final class GcPauses {
  private static final List<GarbageCollectorMXBean> COLLECTORS = ManagementFactory.getGarbageCollectorMXBeans();

  private GcPauses() {}

  /** Collection time so far, in nanoseconds (the JVM counts milliseconds). */
  static long nanos() {
    long ms = 0;
    for (GarbageCollectorMXBean gc : COLLECTORS) {
      ms += Math.max(0, gc.getCollectionTime());
    }
    return ms * 1_000_000L;
  }
}
