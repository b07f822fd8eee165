package dev.palisade.lab.net;

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
  private static final byte[] PAYLOAD = "palisade-probe\n".getBytes(StandardCharsets.US_ASCII);

  private Prober() {}

  public static boolean probe(LabNetwork.Pod from, String ip, int port, String protocol, Duration timeout) {
    return switch (protocol) {
      case "TCP" -> tcp(from, ip, port, timeout);
      case "UDP" -> udp(from, ip, port, timeout);
      case "SCTP" -> false; // the lab serves no SCTP: a connection can never be made
      default -> throw new IllegalArgumentException("unknown protocol '" + protocol + "': expected TCP, UDP or SCTP");
    };
  }

  static boolean tcp(LabNetwork.Pod from, String ip, int port, Duration timeout) {
    // The socket is created on the pod's namespace thread, then used from this one.
    SocketChannel ch = from.ns().call(SocketChannel::open);
    try (ch) {
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

  static boolean udp(LabNetwork.Pod from, String ip, int port, Duration timeout) {
    DatagramChannel ch = from.ns().call(DatagramChannel::open);
    try (ch) {
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
}
