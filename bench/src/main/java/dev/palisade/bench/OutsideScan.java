package dev.palisade.bench;

import dev.palisade.kernel.netns.NetNs;
import dev.palisade.model.Cidr;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.locks.LockSupport;

/**
 * A port scan of outside addresses from inside one pod's network namespace, as a compromised pod
 * sweeping the internet would make: a non-blocking connect (one SYN) to each address, closed
 * after a short linger without waiting for an answer. What the agent observes is the conntrack
 * NEW event of each SYN crossing the node's forward hook, not a completed connection, so no host
 * has to answer.
 *
 * <p>Addresses come from 100.64.0.0/10 (shared address space, RFC 6598: no lab network uses it),
 * 7919 apart (an odd step walks all 2^22 addresses before repeating), so 10,000 of them fall in
 * about 1,200 /16s with each in a /24 of its own: the widest spread the controller has to
 * summarize. The lab's fabric routes that range into a blackhole ({@link #blackholeIn}), so the
 * SYNs leave the pod and its node, as real ones would, and end silently inside the lab.
 */
final class OutsideScan {
  static final String RANGE = "100.64.0.0/10";
  private static final int BASE = Cidr.parseIp("100.64.0.0", RANGE);
  private static final int SIZE = 1 << 22;
  private static final int STEP = 7919;
  private static final int PORT = 443;
  /** Connects opened per namespace hop: the hop to the pod's thread costs more than a connect. */
  private static final int BATCH = 20;

  private OutsideScan() {}

  /** The {@code n}th scanned address (n >= 0): distinct for n below 2^22. Pure. */
  static String address(long n) {
    if (n < 0 || n >= SIZE) {
      throw new IllegalArgumentException("scan index must be 0.." + (SIZE - 1) + ": " + n);
    }
    return Cidr.ipText(BASE + (int) (n * STEP % SIZE));
  }

  /**
   * Routes {@link #RANGE} into a blackhole in this namespace (the lab's fabric): the route goes
   * with the namespace when the lab is torn down.
   */
  static void blackholeIn(String namespace) {
    try {
      Process p = new ProcessBuilder("ip", "-n", namespace, "route", "add", "blackhole", RANGE)
          .redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      if (p.waitFor() != 0) {
        throw new IllegalStateException("cannot route " + RANGE + " to a blackhole in " + namespace + ": " + out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted adding the blackhole route", e);
    }
  }

  /**
   * Connects to addresses {@code first .. first + count - 1} from the pod's namespace at
   * {@code perSecond}, closing each socket after {@code linger}; returns the connects the kernel
   * took (a refused one, as when the socket table is full, is not counted).
   */
  static int run(NetNs pod, long first, int count, int perSecond, Duration linger) {
    if (count < 1 || perSecond < 1) {
      throw new IllegalArgumentException("count and rate must be positive: " + count + ", " + perSecond);
    }
    ArrayDeque<SocketChannel> open = new ArrayDeque<>();
    ArrayDeque<Long> openedAt = new ArrayDeque<>();
    long t0 = System.nanoTime();
    long batchNanos = 1_000_000_000L * BATCH / perSecond;
    int taken = 0;
    try {
      for (int i = 0; i < count; i += BATCH) {
        int from = i;
        int n = Math.min(BATCH, count - i);
        SocketChannel[] made = pod.call(() -> connectAll(first + from, n));
        long now = System.nanoTime();
        for (SocketChannel c : made) {
          if (c != null) {
            open.add(c);
            openedAt.add(now);
            taken++;
          }
        }
        while (!openedAt.isEmpty() && now - openedAt.peek() > linger.toNanos()) {
          openedAt.poll();
          closeQuietly(open.poll());
        }
        long next = t0 + (i / BATCH + 1) * batchNanos;
        LockSupport.parkNanos(next - System.nanoTime());
      }
    } finally {
      open.forEach(OutsideScan::closeQuietly);
    }
    return taken;
  }

  /** On the pod's namespace thread: a socket is bound to the namespace it was made in. */
  private static SocketChannel[] connectAll(long first, int n) {
    SocketChannel[] out = new SocketChannel[n];
    for (int k = 0; k < n; k++) {
      try {
        SocketChannel c = SocketChannel.open();
        c.configureBlocking(false);
        try {
          c.connect(new InetSocketAddress(address(first + k), PORT));
          out[k] = c;
        } catch (IOException e) {
          closeQuietly(c);
        }
      } catch (IOException e) {
        out[k] = null; // no socket (descriptors exhausted): this address is not scanned
      }
    }
    return out;
  }

  private static void closeQuietly(SocketChannel c) {
    try {
      c.close();
    } catch (IOException e) {
      // a socket that never connected has nothing to flush
    }
  }
}
