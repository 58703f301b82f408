package dev.switchboard.bench;

import dev.switchboard.Request;
import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import dev.switchboard.Transports;
import java.net.URI;
import java.util.Map;

/** A transport found by {@link Transports#create(TransportConfig)}, as a user gets it. */
final class SwitchboardClient implements Client {
  private final Transport transport;

  SwitchboardClient(TransportConfig config) {
    this.transport = Transports.create(config);
    if (!transport.name().equals(config.provider())) {
      throw new IllegalStateException("asked for " + config.provider() + ", got " + transport);
    }
  }

  Transport transport() {
    return transport;
  }

  @Override
  public void send(URI uri, Done done) {
    transport.send(Request.get(uri)).whenComplete((r, e) -> done.done(e));
  }

  @Override
  public int call(URI uri) {
    return transport.execute(Request.get(uri)).length();
  }

  @Override
  public byte[] bytes(URI uri) {
    return transport.execute(Request.get(uri)).bytes();
  }

  @Override
  public Object json(URI uri) {
    return transport.execute(Request.get(uri)).json(Map.class);
  }

  @Override
  public void close() {
    transport.close();
  }
}
