package dev.palisade.cli.logging;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.helpers.BasicMDCAdapter;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The slf4j provider behind {@code PALISADE_LOG_FORMAT=json}: about a hundred lines instead of a
 * second logging backend (logback plus an encoder) for one output format. It is not listed in
 * META-INF/services, so slf4j-simple stays the provider unless {@link LogFormat} names this one
 * through the {@code slf4j.provider} property. Levels come from slf4j-simple's own configuration
 * ({@link LogLevels}), so both formats log the same events.
 */
public final class JsonLogProvider implements SLF4JServiceProvider {
  private static final String CONFIG = "simplelogger.properties";
  private ILoggerFactory loggers;
  private final IMarkerFactory markers = new BasicMarkerFactory();
  private final MDCAdapter mdc = new BasicMDCAdapter();

  @Override
  public void initialize() {
    Properties file = readConfig();
    ConcurrentMap<String, Logger> made = new ConcurrentHashMap<>();
    loggers = name -> made.computeIfAbsent(name, n -> new JsonLogger(n,
        LogLevels.threshold(k -> System.getProperty(k, file.getProperty(k)), n), System.err));
  }

  private static Properties readConfig() {
    Properties p = new Properties();
    try (InputStream in = JsonLogProvider.class.getClassLoader().getResourceAsStream(CONFIG)) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + CONFIG, e);
    }
    return p;
  }

  @Override
  public ILoggerFactory getLoggerFactory() {
    return loggers;
  }

  @Override
  public IMarkerFactory getMarkerFactory() {
    return markers;
  }

  @Override
  public MDCAdapter getMDCAdapter() {
    return mdc;
  }

  @Override
  public String getRequestedApiVersion() {
    return "2.0.99";
  }
}
