package dev.palisade.lab.kube.dns;

import dev.palisade.kernel.netns.NetNs;
import dev.palisade.lab.kube.proxy.ServiceWatch;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lab's cluster DNS server: answers on port 53, UDP and TCP (two-byte length prefix, RFC
 * 1035 4.2.2), inside one pod's network namespace, from the Services and EndpointSlices of a
 * {@link ServiceWatch} read at each question ({@link ClusterDns} decides the answer). Sockets are
 * opened on the namespace's thread, so they live in the pod's network; the serving threads can
 * be any.
 */
public final class LabDnsServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LabDnsServer.class);
  public static final int PORT = 53;
  /** CoreDNS's default TTL for cluster records. */
  static final int TTL = 5;

  private final DatagramChannel udp;
  private final ServerSocketChannel tcp;
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "lab-dns");
    t.setDaemon(true);
    return t;
  });
  private volatile boolean open = true;

  private final OutsideZone outside;

  private LabDnsServer(DatagramChannel udp, ServerSocketChannel tcp, Supplier<ServiceWatch.Snapshot> cluster,
      OutsideZone outside) {
    this.udp = udp;
    this.tcp = tcp;
    this.outside = outside;
    threads.execute(() -> serveUdp(cluster));
    threads.execute(() -> serveTcp(cluster));
  }

  /** Serves DNS on 0.0.0.0:53 of the namespace, the cluster's zone only. */
  public static LabDnsServer start(NetNs ns, Supplier<ServiceWatch.Snapshot> cluster) {
    return start(ns, cluster, new OutsideZone());
  }

  /** Serves DNS on 0.0.0.0:53 of the namespace: the cluster's zone and the outside's names. */
  public static LabDnsServer start(NetNs ns, Supplier<ServiceWatch.Snapshot> cluster, OutsideZone outside) {
    DatagramChannel udp = null;
    try {
      udp = ns.call(() -> DatagramChannel.open().bind(new InetSocketAddress(PORT)));
      ServerSocketChannel tcp = ns.call(() -> ServerSocketChannel.open().bind(new InetSocketAddress(PORT), 64));
      return new LabDnsServer(udp, tcp, cluster, outside);
    } catch (RuntimeException e) {
      if (udp != null) {
        try {
          udp.close();
        } catch (IOException ignored) {
          // failing anyway
        }
      }
      throw new IllegalStateException("cannot serve DNS on port 53 in " + ns.name() + ": " + e.getMessage(), e);
    }
  }

  /** The response to one message, or empty when it deserves none (too short to even carry an id). */
  static Optional<byte[]> respond(byte[] msg, int length, ServiceWatch.Snapshot cluster) {
    return respond(msg, length, cluster, new OutsideZone());
  }

  /** As above; a name of the outside zone is answered from it, with its own TTL. */
  static Optional<byte[]> respond(byte[] msg, int length, ServiceWatch.Snapshot cluster, OutsideZone outside) {
    Optional<DnsMessage.Query> q = DnsMessage.parse(msg, length);
    if (q.isEmpty()) {
      return DnsMessage.id(msg, length).map(id -> DnsMessage.error(id, DnsMessage.FORMERR));
    }
    DnsMessage.Query query = q.get();
    if (query.opcode() != 0) {
      return Optional.of(DnsMessage.answer(msg, query, DnsMessage.NOTIMP, java.util.List.of(), TTL));
    }
    if (query.klass() != DnsMessage.CLASS_IN) {
      return Optional.of(DnsMessage.answer(msg, query, DnsMessage.REFUSED, java.util.List.of(), TTL));
    }
    Optional<OutsideZone.Answer> out = outside.lookup(query.name());
    if (out.isPresent()) {
      // AAAA and the rest: the name exists with no such records, so a resolver goes on to ask for A
      boolean a = query.type() == DnsMessage.TYPE_A || query.type() == DnsMessage.TYPE_ANY;
      return Optional.of(DnsMessage.answer(msg, query, DnsMessage.NOERROR,
          a ? out.get().addresses() : java.util.List.of(), out.get().ttlSeconds()));
    }
    ClusterDns.Answer a = ClusterDns.resolve(query.name(), query.type(), cluster.services(), cluster.slices());
    return Optional.of(DnsMessage.answer(msg, query, a.rcode(), a.addresses(), TTL));
  }

  private void serveUdp(Supplier<ServiceWatch.Snapshot> cluster) {
    ByteBuffer buf = ByteBuffer.allocate(4096);
    while (open) {
      try {
        buf.clear();
        SocketAddress from = udp.receive(buf);
        byte[] msg = java.util.Arrays.copyOf(buf.array(), buf.position());
        Optional<byte[]> reply = respond(msg, msg.length, cluster.get(), outside);
        if (reply.isPresent()) {
          udp.send(ByteBuffer.wrap(reply.get()), from);
        }
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException | RuntimeException e) {
        if (open) {
          LOG.warn("lab DNS (UDP): {}", e.toString());
        }
      }
    }
  }

  private void serveTcp(Supplier<ServiceWatch.Snapshot> cluster) {
    while (open) {
      try {
        Socket s = tcp.accept().socket();
        threads.execute(() -> serveConnection(s, cluster, outside));
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException | RuntimeException e) {
        if (open) {
          LOG.warn("lab DNS (TCP): {}", e.toString());
        }
      }
    }
  }

  private static void serveConnection(Socket s, Supplier<ServiceWatch.Snapshot> cluster, OutsideZone outside) {
    try (s) {
      s.setSoTimeout(5000);
      DataInputStream in = new DataInputStream(s.getInputStream());
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      while (true) {
        int length = in.readUnsignedShort();
        byte[] msg = in.readNBytes(length);
        if (msg.length < length) {
          return;
        }
        Optional<byte[]> reply = respond(msg, msg.length, cluster.get(), outside);
        if (reply.isEmpty()) {
          return;
        }
        out.writeShort(reply.get().length);
        out.write(reply.get());
        out.flush();
      }
    } catch (IOException e) {
      // the client closed, or went quiet: a resolver opens a new connection when it needs one
    }
  }

  @Override
  public void close() {
    open = false;
    try {
      udp.close();
      tcp.close();
    } catch (IOException e) {
      // closing anyway
    }
    threads.shutdownNow();
  }
}
