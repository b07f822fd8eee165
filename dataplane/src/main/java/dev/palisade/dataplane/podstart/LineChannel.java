package dev.palisade.dataplane.podstart;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One line each way over a Unix socket, bounded in length and in time: a blocking channel cannot
 * time out a read by itself, so a deadline closes it (the read then fails), and a peer that
 * sends a longer line than allowed is cut off rather than buffered.
 */
final class LineChannel implements AutoCloseable {
  private static final ScheduledExecutorService DEADLINES = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "pod-start-deadlines");
    t.setDaemon(true);
    return t;
  });

  private final SocketChannel channel;
  private final ScheduledFuture<?> deadline;

  LineChannel(SocketChannel channel, Duration within) {
    this.channel = channel;
    this.deadline = DEADLINES.schedule(() -> {
      try {
        channel.close();
      } catch (IOException ignored) {
        // closed already
      }
    }, within.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** The next line without its newline; fails if the peer closes first or the line passes {@code limit} bytes. */
  String readLine(int limit) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(limit + 1);
    while (true) {
      for (int i = 0; i < buf.position(); i++) {
        if (buf.get(i) == '\n') {
          return new String(buf.array(), 0, i, StandardCharsets.UTF_8);
        }
      }
      if (!buf.hasRemaining()) {
        throw new IOException("line longer than " + limit + " bytes");
      }
      if (channel.read(buf) < 0) {
        throw new IOException("closed before a whole line (" + buf.position() + " bytes)");
      }
    }
  }

  void writeLine(String line) throws IOException {
    ByteBuffer out = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
    while (out.hasRemaining()) {
      channel.write(out);
    }
  }

  @Override
  public void close() throws IOException {
    deadline.cancel(false);
    channel.close();
  }
}
