package dev.palisade.controller.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.timeout.ReadTimeoutException;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ConnectionErrorHandlerTest {
  static Stream<Arguments> events() {
    return Stream.of(
        Arguments.of(ReadTimeoutException.INSTANCE, true),
        Arguments.of(new ClosedChannelException(), true),
        Arguments.of(new io.netty.handler.codec.PrematureChannelClosureException("Channel closed while still aggregating message"), true),
        Arguments.of(new IOException("Connection reset by peer"), true),
        Arguments.of(new IOException("recvAddress(..) failed: Connection reset by peer"), true),
        Arguments.of(new IOException("writevAddresses(..) failed: Broken pipe"), true),
        Arguments.of(new IOException("No space left on device"), false),
        Arguments.of(new IOException((String) null), false),
        Arguments.of(new DecoderException("bad chunk"), false),
        Arguments.of(new IllegalStateException("Connection reset"), false));
  }

  @ParameterizedTest
  @MethodSource("events")
  void clientsComingAndGoingAreExpectedOtherErrorsAreNot(Throwable cause, boolean expected) {
    assertEquals(expected, ConnectionErrorHandler.isExpectedNetworkEvent(cause), cause.toString());
  }

  @Test
  void anIdleTimeoutClosesTheConnectionInsteadOfReachingThePipelineTail() {
    EmbeddedChannel ch = new EmbeddedChannel(new ConnectionErrorHandler());
    ch.pipeline().fireExceptionCaught(ReadTimeoutException.INSTANCE);
    ch.checkException(); // would rethrow had the event reached the tail (netty's WARN with a trace)
    assertFalse(ch.isOpen());
  }

  @Test
  void anUnexpectedErrorAlsoClosesTheConnection() {
    EmbeddedChannel ch = new EmbeddedChannel(new ConnectionErrorHandler());
    ch.pipeline().fireExceptionCaught(new IllegalStateException("boom"));
    ch.checkException();
    assertFalse(ch.isOpen());
  }

  @Test
  void withoutItTheEventReachesTheTail() {
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.pipeline().fireExceptionCaught(ReadTimeoutException.INSTANCE);
    assertThrows(ReadTimeoutException.class, ch::checkException);
  }

  @Test
  void theLogLineIsOneLine() {
    assertEquals("IOException: Connection reset by peer",
        ConnectionErrorHandler.describe(new IOException("Connection reset by peer")));
  }
}
