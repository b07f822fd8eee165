package dev.palisade.controller.api;

import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * How a viewer's read of the controller's state is answered without holding up the agents' flow
 * reports (issue 17): on the controller's loop only a copy is taken, and the answer is made from
 * that copy (sorted, written as JSON, YAML or DOT) on the caller's thread. A big answer is then the
 * viewer's wait, not the agents'.
 *
 * <p>The copy must be cheap and hold nothing the loop changes later (immutable values, fresh
 * copies, objects the loop never changes once made), so the answer is of one moment although it is
 * made after the loop has moved on.
 */
public final class ViewerReads {
  /** Runs work on the controller's loop thread and waits for its result. */
  public interface Loop {
    <T> T call(Callable<T> c);
  }

  /** Makes an answer from its copy, on the viewer's thread. */
  public interface AnswerWriter {
    String write(String route, Supplier<String> answer);
  }

  private final Loop loop;
  private final AnswerWriter writer;

  public ViewerReads(Loop loop) {
    this(loop, (route, answer) -> answer.get());
  }

  /** Tests: with a writer that sees on which thread each answer is made (never the loop's). */
  public ViewerReads(Loop loop, AnswerWriter writer) {
    this.loop = loop;
    this.writer = writer;
  }

  /** Reads with no loop: each copy is taken on the caller's thread (tests of what an endpoint answers). */
  public static ViewerReads onCallersThread() {
    return new ViewerReads(new Loop() {
      @Override
      public <T> T call(Callable<T> c) {
        try {
          return c.call();
        } catch (RuntimeException e) {
          throw e;
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    });
  }

  /**
   * The answer to {@code route}: {@code copy} runs on the loop, {@code write} makes the answer from
   * what it returned on this thread.
   */
  public <C> String answer(String route, Callable<C> copy, Function<C, String> write) {
    C copied = loop.call(copy);
    return writer.write(route, () -> write.apply(copied));
  }
}
