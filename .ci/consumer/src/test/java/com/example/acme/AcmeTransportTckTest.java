package com.example.acme;

import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import dev.switchboard.Transports;
import dev.switchboard.tck.TransportTck;

/** The whole conformance kit against "acme". */
class AcmeTransportTckTest extends TransportTck {
  @Override
  protected Transport create(TransportConfig config) {
    return Transports.create(config.toBuilder().provider("acme").build());
  }
}
