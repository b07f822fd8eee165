package dev.palisade.cli.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

class LogLevelsTest {
  private static final Map<String, String> CONFIG = Map.of(
      "org.slf4j.simpleLogger.defaultLogLevel", "warn",
      "org.slf4j.simpleLogger.log.dev.palisade", "warn",
      "org.slf4j.simpleLogger.log.dev.palisade.dataplane.agent.NodeAgent", "info",
      "org.slf4j.simpleLogger.log.io.netty.util.concurrent.DefaultPromise", "off");

  private static int level(String logger) {
    return LogLevels.threshold(CONFIG::get, logger);
  }

  @Test
  void theLongestDottedPrefixDecides() {
    assertEquals(Level.INFO.toInt(), level("dev.palisade.dataplane.agent.NodeAgent"));
    assertEquals(Level.WARN.toInt(), level("dev.palisade.dataplane.agent.NodeAgentX"), "a prefix is whole segments");
    assertEquals(Level.WARN.toInt(), level("dev.palisade.controller.api.ApiHandler"));
    assertEquals(Level.WARN.toInt(), level("com.example.Other"), "the default");
    assertTrue(level("io.netty.util.concurrent.DefaultPromise") > Level.ERROR.toInt(), "off logs nothing");
  }

  @Test
  void withoutConfigurationInfoIsLogged() {
    assertEquals(Level.INFO.toInt(), LogLevels.threshold(k -> null, "a.b"));
  }

  @Test
  void aBadLevelNamesItsKey() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> LogLevels.threshold(Map.of("org.slf4j.simpleLogger.log.a", "loud")::get, "a.b"));
    assertTrue(e.getMessage().contains("org.slf4j.simpleLogger.log.a") && e.getMessage().contains("'loud'"), e.getMessage());
  }
}
