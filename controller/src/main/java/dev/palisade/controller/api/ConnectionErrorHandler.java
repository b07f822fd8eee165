package dev.palisade.controller.api;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.ReadTimeoutException;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of an API connection: closes it on any error that reaches the end of the
 * pipeline. Without it netty's pipeline tail logs a WARN with a stack trace for each, and most are
 * the ordinary life of HTTP keep-alive: an idle client hitting the read timeout, a client that
 * closed or reset its end. Those are one debug line; anything else stays a warning with its trace.
 */
@ChannelHandler.Sharable
public final class ConnectionErrorHandler extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionErrorHandler.class);

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (isTlsHandshakeFailure(cause)) {
      // a client that does not trust our certificate, or speaks plain HTTP to the TLS port: one
      // line, as the cause is on the client's side and a trace says nothing more
      LOG.info("API connection {}: TLS handshake failed: {}", ctx.channel().remoteAddress(),
          describe(cause.getCause() == null ? cause : cause.getCause()));
    } else if (isExpectedNetworkEvent(cause)) {
      LOG.debug("API connection {} closed: {}", ctx.channel().remoteAddress(), describe(cause));
    } else {
      LOG.warn("API connection {} failed; closing it", ctx.channel().remoteAddress(), cause);
    }
    ctx.close();
  }

  /**
   * True for what a server sees when clients come and go: read timeouts, closed channels, and the
   * socket errors the kernel reports when the peer resets or hangs up (netty's native transport
   * reports these as IOExceptions whose message names the errno).
   */
  public static boolean isExpectedNetworkEvent(Throwable cause) {
    if (cause instanceof ReadTimeoutException || cause instanceof ClosedChannelException
        || cause instanceof io.netty.handler.codec.PrematureChannelClosureException) { // a client gone mid-body
      return true;
    }
    if (cause instanceof IOException && cause.getMessage() != null) {
      String m = cause.getMessage().toLowerCase(Locale.ROOT);
      return m.contains("connection reset") || m.contains("broken pipe")
          || m.contains("connection timed out") || m.contains("an established connection was aborted");
    }
    return false;
  }

  /** What SslHandler raises when a handshake fails or the bytes are not TLS at all. */
  static boolean isTlsHandshakeFailure(Throwable cause) {
    Throwable c = cause instanceof io.netty.handler.codec.DecoderException && cause.getCause() != null
        ? cause.getCause() : cause;
    return c instanceof javax.net.ssl.SSLException; // NotSslRecordException is one too
  }

  /** One line: the exception's type and message, no trace. */
  static String describe(Throwable cause) {
    String m = cause.getMessage();
    return cause.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }
}
