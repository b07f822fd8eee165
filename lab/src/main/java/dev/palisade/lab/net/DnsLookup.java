package dev.palisade.lab.net;

import dev.palisade.kernel.netns.NetNs;
import dev.palisade.lab.kube.dns.DnsMessage;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Resolves a name as a pod's stub resolver would: one A query over UDP, from inside the pod's
 * network namespace, to the nameserver of its resolv.conf (the cluster DNS Service). The query
 * and its answer take the real path (kube-proxy's DNAT, the node's forward hook), so whatever
 * watches a pod's DNS sees this lookup as the pod's own. Application-like: an ephemeral source
 * port, never the probe range, since the lookup is what a name's later connection rests on.
 */
public final class DnsLookup {
  private DnsLookup() {}

  /**
   * The A records of a fully qualified name.
   *
   * @throws IllegalStateException naming the name and the server when no answer comes in time,
   *     or the answer is an error (NXDOMAIN, REFUSED...)
   */
  public static List<String> resolve(NetNs from, String name, Duration timeout) {
    return resolve(from, PodResolvConf.NAMESERVER, name, timeout);
  }

  public static List<String> resolve(NetNs from, String server, String name, Duration timeout) {
    int id = ThreadLocalRandom.current().nextInt(1 << 16);
    byte[] query = DnsMessage.query(id, name, DnsMessage.TYPE_A);
    DatagramChannel ch = from.call(DatagramChannel::open);
    try (ch) {
      ch.socket().setSoTimeout((int) timeout.toMillis());
      ch.connect(new InetSocketAddress(server, 53));
      ch.write(ByteBuffer.wrap(query));
      var packet = new java.net.DatagramPacket(new byte[1500], 1500);
      while (true) {
        ch.socket().receive(packet);
        byte[] msg = packet.getData();
        int length = packet.getLength();
        if (length < 12 || (((msg[0] & 0xff) << 8) | (msg[1] & 0xff)) != id) {
          continue; // not the answer to this query
        }
        int rcode = DnsMessage.rcode(msg);
        if (rcode != DnsMessage.NOERROR) {
          throw new IllegalStateException(name + ": " + server + " answered with rcode " + rcode);
        }
        return DnsMessage.addresses(msg, length);
      }
    } catch (SocketTimeoutException e) {
      throw new IllegalStateException(name + ": no answer from " + server + " within " + timeout.toMillis() + " ms");
    } catch (IOException e) {
      throw new IllegalStateException(name + ": cannot ask " + server + ": " + e.getMessage(), e);
    }
  }
}
