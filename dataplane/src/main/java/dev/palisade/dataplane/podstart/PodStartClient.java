package dev.palisade.dataplane.podstart;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What a CNI plugin does at ADD: tell the node's agent (its {@link PodStartSocket}) the pod's
 * address and wait for "covered". Any answer but "ok", a refused connection (no agent running) or
 * no answer in time fails the pod start: never a pod network without its rules.
 */
public final class PodStartClient {
  private PodStartClient() {}

  /** Returns the agent's own time for it in nanoseconds; throws IllegalStateException when not covered. */
  public static long announce(Path socket, PodStart pod, Duration timeout) {
    try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      c.connect(UnixDomainSocketAddress.of(socket));
      try (LineChannel line = new LineChannel(c, timeout)) {
        line.writeLine(pod.line());
        String answer = line.readLine(4096);
        if (answer.startsWith("ok ")) {
          try {
            return Long.parseLong(answer.substring(3));
          } catch (NumberFormatException e) {
            throw new IllegalStateException("pod start " + pod.line() + ": the agent answered '" + answer + "'");
          }
        }
        throw new IllegalStateException("pod start " + pod.line() + ": the agent on " + socket + " answered: "
            + (answer.startsWith("error ") ? answer.substring(6) : answer));
      }
    } catch (IOException e) {
      throw new IllegalStateException("pod start " + pod.line() + ": no answer from the agent on " + socket + ": "
          + e.getMessage(), e);
    }
  }
}
