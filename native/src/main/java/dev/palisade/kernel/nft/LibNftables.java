package dev.palisade.kernel.nft;

import dev.palisade.kernel.netns.NetNs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jnr.ffi.Pointer;

/**
 * {@link Nftables} over libnftables. One nft context, confined to one thread this object owns:
 * a context is not thread-safe, and its netlink socket belongs to the network namespace of the
 * thread that opened it (a new thread inherits its creator's namespace, so opening from a
 * {@link NetNs} thread programs that namespace). Output and error buffers are read after every
 * call, because libnftables piles them up otherwise.
 *
 * <p>Contexts do share something: libnftables turns protocol names into numbers and back with
 * glibc's getprotobyname and getprotobynumber, whose result is one static record per process that
 * a lookup overwrites line by line while it scans /etc/protocols. Two contexts working at once
 * (the lab runs one agent per node in one JVM) read tcp elements back as
 * {@code 10.128.31.73 . ip . 9090} or {@code ... igmp ...} and can write them so too (issue 16).
 * So every call into libnftables holds {@link #LIBRARY}, one lock for the whole process.
 */
public final class LibNftables implements Nftables {
  private static final LibNftablesApi LIB = LibNftablesApi.INSTANCE;
  /** Held by every context's thread while it is inside libnftables: see the class comment. */
  private static final Object LIBRARY = new Object();
  /** nft's error heading: {@code <where>:LINE:COL-COL: Error: message}. */
  private static final Pattern ERROR_AT = Pattern.compile("(?m)^[^\\n]*?:(\\d+):\\d+(?:-\\d+)?: Error: (.*)$");

  private final ExecutorService thread;
  private final Pointer ctx;
  private final String where;
  /** The kernel's id of {@link #thread}: the commits it reports with this id are this instance's own. */
  private final int threadId;
  private final Set<NftTableWatch> watches = ConcurrentHashMap.newKeySet();

  private LibNftables(String where) {
    this.where = where;
    this.thread = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "nft-" + where);
      t.setDaemon(true);
      return t;
    });
    Pointer c;
    try {
      this.threadId = thread.submit(LibNftables::currentThreadId).get();
      c = thread.submit(() -> {
        Pointer p = LIB.nft_ctx_new(LibNftablesApi.NFT_CTX_DEFAULT);
        if (p == null) {
          throw new IllegalStateException("nft_ctx_new failed");
        }
        LIB.nft_ctx_buffer_output(p);
        LIB.nft_ctx_buffer_error(p);
        return p;
      }).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      thread.shutdownNow();
      throw new IllegalStateException("interrupted opening libnftables", e);
    } catch (ExecutionException e) {
      thread.shutdownNow();
      throw new IllegalStateException("cannot open libnftables: " + e.getCause().getMessage(), e.getCause());
    }
    this.ctx = c;
  }

  /** A context in the calling thread's network namespace. */
  public static LibNftables open() {
    return new LibNftables("current");
  }

  /** A context in the given namespace. */
  public static LibNftables open(NetNs ns) {
    return ns.call(() -> new LibNftables(ns.name()));
  }

  /**
   * {@inheritDoc}
   *
   * <p>The listener runs on a daemon thread of the watch's own. The socket is opened on this
   * instance's thread, so it sees this instance's network namespace; commits are told apart by
   * the committing thread's id, which the kernel reports with each generation.
   */
  @Override
  public TableWatch watch(String family, String table, Consumer<TableChange> listener) {
    return watch(family, table, listener, NftMonitorSocket.RECEIVE_BUFFER);
  }

  /** A watch with the given socket receive buffer: a small one lets a test overrun it. */
  TableWatch watch(String family, String table, Consumer<TableChange> listener, int receiveBufferBytes) {
    Transaction probe = new Transaction(family, table); // validates the names
    if (probe.error().isPresent()) {
      throw probe.error().get();
    }
    java.util.Objects.requireNonNull(listener, "listener");
    java.util.function.Supplier<NftMonitorSocket> open = () -> onThread(() -> NftMonitorSocket.open(
        NftTableWatch.RECEIVE_TIMEOUT_MILLIS, receiveBufferBytes));
    NftTableWatch w = NftTableWatch.start(open.get(), open, new NftChangeCollector(family, table, threadId), listener,
        "nft-watch-" + where + "-" + table);
    watches.removeIf(old -> !old.alive());
    watches.add(w);
    return w;
  }

  /** The kernel's id of the thread that commits this instance's transactions. */
  int threadId() {
    return threadId;
  }

  /** The calling thread's kernel id (its TID, not the process id), from /proc/thread-self -> PID/task/TID. */
  static int currentThreadId() throws IOException {
    Path self = Files.readSymbolicLink(Path.of("/proc/thread-self"));
    return Integer.parseInt(self.getFileName().toString());
  }

  @Override
  public void run(Transaction tx) {
    execute(tx, false);
  }

  @Override
  public void check(Transaction tx) {
    execute(tx, true);
  }

  private void execute(Transaction tx, boolean dryRun) {
    if (tx.error().isPresent()) {
      throw tx.error().get();
    }
    if (tx.isEmpty()) {
      return;
    }
    String text = tx.toString();
    Result r = onThread(() -> {
      LIB.nft_ctx_set_dry_run(ctx, dryRun);
      try {
        return command(text);
      } finally {
        LIB.nft_ctx_set_dry_run(ctx, false);
      }
    });
    if (r.rc != 0) {
      throw error(locate(text, r.error), text);
    }
  }

  /**
   * Errors on a buffer do not say which line failed (nft 1.0.6 prints the buffer's first line with
   * the right caret column), so a failed transaction is checked again from a file, where nft
   * names file:line:column. Dry run: nothing is applied by the second look.
   */
  private String locate(String text, String firstError) {
    Path file = null;
    try {
      file = Files.createTempFile("palisade-nft-", ".nft");
      Files.writeString(file, text);
      String path = file.toString();
      Result again = onThread(() -> {
        LIB.nft_ctx_set_dry_run(ctx, true);
        try {
          synchronized (LIBRARY) {
            int rc = LIB.nft_run_cmd_from_filename(ctx, path);
            String out = text(LIB.nft_ctx_get_output_buffer(ctx));
            String err = LIB.nft_ctx_get_error_buffer(ctx);
            return new Result(rc, out, err == null ? "" : err);
          }
        } finally {
          LIB.nft_ctx_set_dry_run(ctx, false);
        }
      });
      return again.rc != 0 && ERROR_AT.matcher(again.error).find() ? again.error.replace(path, "transaction")
          : firstError;
    } catch (IOException e) {
      return firstError;
    } finally {
      if (file != null) {
        try {
          Files.deleteIfExists(file);
        } catch (IOException ignored) {
          // a leftover temp file is harmless
        }
      }
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>Read over netlink ({@link NetlinkTableReader}), not through libnftables, whose listing
   * first fetches every set element into its cache: at 100k elements a fresh JVM peaked at ~404 MiB
   * RSS with the JSON listing and ~88 MiB with this reader (bench/RESULTS.md). On this instance's
   * thread, so the socket is in this context's network namespace; libnftables is not entered, so
   * {@link #LIBRARY} is not held.
   *
   * @throws IllegalStateException if the table holds something the reader does not know how to
   *     write as nft text: the caller must not take it for the table it wants
   */
  @Override
  public Optional<TableState> table(String family, String name) {
    Transaction probe = new Transaction(family, name); // validates the names
    if (probe.error().isPresent()) {
      throw probe.error().get();
    }
    return onThread(() -> NetlinkTableReader.read(family, name));
  }

  /**
   * The table as nft's JSON listing shows it ({@code nft -j list table}): libnftables fetches
   * every set element into its cache first (~209 MB peak at 100k interval elements). Kept to
   * check {@link NetlinkTableReader} against.
   */
  public Optional<TableState> listTable(String family, String name) {
    Transaction probe = new Transaction(family, name); // validates the names
    if (probe.error().isPresent()) {
      throw probe.error().get();
    }
    String list = "list table " + family + " " + name;
    Listing r = onThread(() -> {
      int flags = LIB.nft_ctx_output_get_flags(ctx);
      LIB.nft_ctx_output_set_flags(ctx, flags | LibNftablesApi.NFT_CTX_OUTPUT_JSON);
      int rc;
      Pointer out;
      String err;
      try {
        byte[] buf = (list + "\0").getBytes(StandardCharsets.UTF_8);
        synchronized (LIBRARY) {
          rc = LIB.nft_run_cmd_from_buffer(ctx, buf);
          out = LIB.nft_ctx_get_output_buffer(ctx);
          err = LIB.nft_ctx_get_error_buffer(ctx);
        }
      } finally {
        LIB.nft_ctx_output_set_flags(ctx, flags);
      }
      // read in place, on this context's thread, before its next command reuses the buffer;
      // outside LIBRARY: the buffer is this context's alone
      return rc != 0 ? new Listing(null, err == null ? "" : err)
          : new Listing(NftJson.parseTable(new NativeText(out), family, name), "");
    });
    if (r.table == null) {
      NftException e = error(r.error, list);
      if (e.kind() == NftException.Kind.NOT_FOUND) {
        return Optional.empty();
      }
      throw e;
    }
    return Optional.of(r.table);
  }

  private record Result(int rc, String output, String error) {}

  /** A listing read: the table, or nft's error when the command failed. */
  private record Listing(TableState table, String error) {}

  private static String text(Pointer buffer) {
    return buffer == null ? "" : buffer.getString(0);
  }

  /** On the context's thread: run one buffer and collect both buffers, emptying them. */
  private Result command(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    byte[] buf = new byte[bytes.length + 1];
    System.arraycopy(bytes, 0, buf, 0, bytes.length);
    synchronized (LIBRARY) {
      int rc = LIB.nft_run_cmd_from_buffer(ctx, buf);
      String out = text(LIB.nft_ctx_get_output_buffer(ctx));
      String err = LIB.nft_ctx_get_error_buffer(ctx);
      return new Result(rc, out, err == null ? "" : err);
    }
  }

  /**
   * nft prints {@code Error: message}, then the offending line, then a caret line (a file input
   * also gets a {@code where:LINE:COL:} prefix, a buffer does not): the line is found again in
   * the input to number it.
   */
  static NftException error(String nftText, String input) {
    String message = nftText.isBlank() ? "nft failed without a message" : nftText.strip();
    String[] out = message.split("\n");
    String headline = out[0];
    Optional<String> line = Optional.empty();
    int lineNo = 0;
    Matcher m = ERROR_AT.matcher(message);
    if (m.find()) {
      lineNo = Integer.parseInt(m.group(1));
      headline = m.group(2);
    }
    String[] lines = input.split("\n", -1);
    if (lineNo == 0) {
      for (int i = 0; i + 1 < out.length && lineNo == 0; i++) {
        if (out[i].contains("Error:")) {
          headline = out[i];
          for (int k = 0; k < lines.length; k++) {
            if (lines[k].equals(out[i + 1])) {
              lineNo = k + 1;
              break;
            }
          }
        }
      }
    }
    if (lineNo >= 1 && lineNo <= lines.length) {
      line = Optional.of(lines[lineNo - 1]);
    }
    return new NftException(NftException.classify(headline), message, line, lineNo);
  }

  private <T> T onThread(Callable<T> action) {
    try {
      return thread.submit(action).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted in libnftables", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  @Override
  public void close() {
    watches.forEach(NftTableWatch::close);
    watches.clear();
    if (thread.isShutdown()) {
      return;
    }
    try {
      thread.submit(() -> LIB.nft_ctx_free(ctx)).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      // freeing cannot usefully fail; the thread is shut down either way
    } finally {
      thread.shutdown();
    }
  }

  @Override
  public String toString() {
    return "LibNftables[" + where + "]";
  }
}
