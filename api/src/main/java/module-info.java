/**
 * Switchboard: asynchronous HTTP through an interchangeable transport.
 *
 * <p>{@link dev.switchboard.Transports} finds the transports through {@link
 * java.util.ServiceLoader}: on the module path each transport module {@code provides} a {@link
 * dev.switchboard.spi.TransportProvider}, so an application module needs only {@code requires
 * dev.switchboard;} (service binding resolves the transport modules present). Jackson is used
 * internally; a type read or written by {@code json(...)} must be accessible to {@code
 * com.fasterxml.jackson.databind} (its package exported, or opened to it).
 */
module dev.switchboard {
  requires com.fasterxml.jackson.databind;

  exports dev.switchboard;
  exports dev.switchboard.spi;

  uses dev.switchboard.spi.TransportProvider;
}
