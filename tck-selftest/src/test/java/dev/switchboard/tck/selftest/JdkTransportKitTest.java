package dev.switchboard.tck.selftest;

import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import dev.switchboard.Transports;
import dev.switchboard.tck.TransportTck;

/** The whole kit against the real JDK transport: it must pass. */
class JdkTransportKitTest extends TransportTck {
  @Override
  protected Transport create(TransportConfig config) {
    return Transports.create(config.toBuilder().provider("jdk").build());
  }
}
