package dev.palisade.dataplane.agent;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells problems on a thread of its own: a Warning Event is a write to the API server, and the
 * sync that found the bad object must not wait for it (a slow or unreachable API server would
 * hold back every node's rules by a client timeout per new problem). Bounded: past {@value
 * #QUEUED} untold problems the newest are dropped and counted; the log line of each was written
 * already.
 */
final class SinkInBackground implements ObjectProblems.Sink, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SinkInBackground.class);
  static final int QUEUED = 256;

  private final String nodeName;
  private final ObjectProblems.Sink sink;
  private final ThreadPoolExecutor thread;
  private final AtomicLong dropped = new AtomicLong();

  SinkInBackground(String nodeName, ObjectProblems.Sink sink) {
    this.nodeName = nodeName;
    this.sink = sink;
    this.thread = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUED), r -> {
      Thread t = new Thread(r, "warning-events-" + nodeName);
      t.setDaemon(true);
      return t;
    });
  }

  @Override
  public void warn(ObjectProblems.Problem p) {
    try {
      thread.execute(() -> {
        try {
          sink.warn(p);
        } catch (RuntimeException e) {
          LOG.warn("{}: could not record a Warning Event on {}: {}", nodeName, p.where(), e.getMessage());
        }
      });
    } catch (RejectedExecutionException e) {
      dropped.incrementAndGet();
    }
  }

  /** Problems not told by an Event because too many waited (each was logged). */
  long dropped() {
    return dropped.get();
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
