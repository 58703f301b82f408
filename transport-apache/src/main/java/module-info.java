/**
 * The {@code apache} transport: Switchboard over Apache HttpClient 5 async. Found through {@code
 * provides}; {@link dev.switchboard.apache.ApacheTransports} wraps a {@code
 * CloseableHttpAsyncClient} the application built itself.
 */
module dev.switchboard.apache {
  requires transitive dev.switchboard;
  requires transitive org.apache.httpcomponents.client5.httpclient5;
  requires transitive org.apache.httpcomponents.core5.httpcore5;
  requires org.apache.httpcomponents.core5.httpcore5.h2;
  // httpcore5's I/O reactor sets socket options through jdk.net.Sockets; as an automatic module
  // it cannot say so, and on the module path nothing else resolves jdk.net (the reactor thread
  // dies with NoClassDefFoundError: jdk/net/Sockets at the first connection)
  requires jdk.net;
  // Slf4jSystemLoggerProvider implements SLF4J's SPI in this exported package
  requires transitive org.slf4j;

  // ApacheTransports for users; and SLF4J instantiates Slf4jSystemLoggerProvider by reflection
  // from module org.slf4j, which needs this package exported to it (IllegalAccessException else)
  exports dev.switchboard.apache;

  // QuietSlf4j asks ServiceLoader whether the application has an SLF4J provider of its own
  uses org.slf4j.spi.SLF4JServiceProvider;

  provides dev.switchboard.spi.TransportProvider with
      dev.switchboard.apache.ApacheTransportProvider;
}
