package dev.palisade.lab.net;

import dev.palisade.kernel.netns.NetNs;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Makes real connections from inside a pod's namespace. A TCP probe passes when the connection
 * is established within the timeout (and echoes a few bytes, so the flow carries data); a UDP
 * probe passes when the echo comes back within the timeout.
 */
public final class Prober {
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
  /**
   * Source ports of measurement probes: outside Linux's default ephemeral range (32768-60999), so
   * a probe is told apart from application traffic and never learned as a flow.
   */
  public static final int PROBE_PORT_FIRST = 61000;
  public static final int PROBE_PORT_LAST = 61999;
  private static final byte[] PAYLOAD = "palisade-probe\n".getBytes(StandardCharsets.US_ASCII);

  private Prober() {}

  public static boolean probe(LabNetwork.Pod from, String ip, int port, String protocol, Duration timeout) {
    return probe(from.ns(), ip, port, protocol, timeout);
  }

  /** A probe from any namespace (the CLI attaches to a running lab's pod namespace by name). */
  public static boolean probe(NetNs from, String ip, int port, String protocol, Duration timeout) {
    return connect(from, ip, port, protocol, timeout, true);
  }

  /**
   * A new connection; a {@code measurement} binds a source port in the probe range, anything else
   * is application traffic from an ephemeral port (what learning should see).
   */
  public static boolean connect(NetNs from, String ip, int port, String protocol, Duration timeout,
      boolean measurement) {
    return connect(from, null, ip, port, protocol, timeout, measurement);
  }

  /**
   * As above, from the given source address of the namespace ({@code null}: the kernel picks),
   * for a namespace holding several hosts' addresses (the lab's outside).
   */
  public static boolean connect(NetNs from, String sourceIp, String ip, int port, String protocol, Duration timeout,
      boolean measurement) {
    return switch (protocol) {
      case "TCP" -> tcp(from, sourceIp, ip, port, timeout, measurement);
      case "UDP" -> udp(from, sourceIp, ip, port, timeout, measurement);
      case "SCTP" -> false; // the lab serves no SCTP: a connection can never be made
      default -> throw new IllegalArgumentException("unknown protocol '" + protocol + "': expected TCP, UDP or SCTP");
    };
  }

  static boolean tcp(NetNs from, String sourceIp, String ip, int port, Duration timeout, boolean measurement) {
    // The socket is created on the pod's namespace thread, then used from this one.
    SocketChannel ch = from.call(SocketChannel::open);
    try (ch) {
      bind(ch, sourceIp, measurement);
      ch.socket().connect(new InetSocketAddress(ip, port), (int) timeout.toMillis());
      ch.socket().setSoTimeout((int) timeout.toMillis());
      ch.socket().getOutputStream().write(PAYLOAD);
      byte[] back = new byte[PAYLOAD.length];
      int got = 0;
      var in = ch.socket().getInputStream();
      while (got < back.length) {
        int n = in.read(back, got, back.length - got);
        if (n < 0) break;
        got += n;
      }
      return true; // established: the verdict on a NEW connection is in
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return false;
    }
  }

  static boolean udp(NetNs from, String sourceIp, String ip, int port, Duration timeout, boolean measurement) {
    DatagramChannel ch = from.call(DatagramChannel::open);
    try (ch) {
      bind(ch, sourceIp, measurement);
      ch.socket().setSoTimeout((int) timeout.toMillis());
      ch.connect(new InetSocketAddress(ip, port));
      ch.write(ByteBuffer.wrap(PAYLOAD));
      var packet = new java.net.DatagramPacket(new byte[256], 256);
      ch.socket().receive(packet);
      return packet.getLength() > 0;
    } catch (IOException e) {
      return false;
    }
  }

  private static final java.util.concurrent.atomic.AtomicInteger NEXT_PROBE_PORT = new java.util.concurrent.atomic.AtomicInteger();

  /** Binds the source address and, for a measurement, a probe-range port; else leaves both to the kernel. */
  private static void bind(java.nio.channels.NetworkChannel ch, String sourceIp, boolean measurement)
      throws IOException {
    if (measurement) {
      bindProbePort(ch, sourceIp);
    } else if (sourceIp != null) {
      ch.bind(new InetSocketAddress(sourceIp, 0));
    }
  }

  /** Binds a free port of the probe range (ports rotate so TIME_WAIT of earlier probes is avoided). */
  private static void bindProbePort(java.nio.channels.NetworkChannel ch, String sourceIp) throws IOException {
    int span = PROBE_PORT_LAST - PROBE_PORT_FIRST + 1;
    IOException last = null;
    for (int attempt = 0; attempt < 50; attempt++) {
      int p = PROBE_PORT_FIRST + Math.floorMod(NEXT_PROBE_PORT.getAndIncrement(), span);
      try {
        ch.bind(sourceIp == null ? new InetSocketAddress(p) : new InetSocketAddress(sourceIp, p));
        return;
      } catch (java.net.BindException e) {
        last = e;
      }
    }
    throw last;
  }
}
