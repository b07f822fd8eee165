package dev.palisade.controller.service;

import dev.palisade.controller.api.ApiException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's one thread: every change to its state (graph, identities, modes, decisions) runs
 * here, in the order events arrive, so none of that state needs a lock. Informer handlers
 * {@link #submit} and move on; API endpoints {@link #call} and wait, at most 30 s, then answer 503
 * rather than hold the caller's connection.
 */
final class ControllerLoop implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ControllerLoop.class);
  private static final long CALL_TIMEOUT_SECONDS = 30;

  private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "palisade-controller");
    t.setDaemon(true);
    return t;
  });

  /** Runs later on the loop; a failure is logged, never lost with the next event's thread. */
  void submit(Runnable r) {
    thread.execute(() -> {
      try {
        r.run();
      } catch (RuntimeException e) {
        LOG.error("controller event failed", e);
      }
    });
  }

  /** Runs on the loop and waits; the callable's RuntimeException (an ApiException too) is thrown here. */
  <T> T call(Callable<T> c) {
    try {
      return thread.submit(c).get(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(503, "interrupted");
    } catch (TimeoutException e) {
      throw new ApiException(503, "controller busy");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /**
   * An informer handler that only hands each event to the loop: {@code onChange} gets the object
   * as it is now, and whether it was deleted.
   */
  <T> ResourceEventHandler<T> handler(BiConsumer<T, Boolean> onChange) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T o) {
        submit(() -> onChange.accept(o, false));
      }

      @Override
      public void onUpdate(T before, T now) {
        submit(() -> onChange.accept(now, false));
      }

      @Override
      public void onDelete(T o, boolean finalStateUnknown) {
        submit(() -> onChange.accept(o, true));
      }
    };
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
