package dev.switchboard.tck.selftest;

import dev.switchboard.Capability;
import dev.switchboard.Outcome;
import dev.switchboard.Request;
import dev.switchboard.Response;
import dev.switchboard.StreamingResponse;
import dev.switchboard.Transport;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** A transport that passes everything to another; broken transports override what they break. */
public class ForwardingTransport implements Transport {
  protected final Transport delegate;

  public ForwardingTransport(Transport delegate) {
    this.delegate = delegate;
  }

  @Override
  public CompletableFuture<Response> send(Request request) {
    return delegate.send(request);
  }

  /** Forwarded; {@code openStream} (the interface's default) goes through this. */
  @Override
  public CompletableFuture<StreamingResponse> stream(Request request) {
    return delegate.stream(request);
  }

  @Override
  public Response execute(Request request) {
    return delegate.execute(request);
  }

  @Override
  public CompletableFuture<List<Response>> sendAll(List<Request> requests) {
    return delegate.sendAll(requests);
  }

  @Override
  public CompletableFuture<List<Outcome>> sendAllSettled(List<Request> requests) {
    return delegate.sendAllSettled(requests);
  }

  @Override
  public boolean isTransportThread() {
    return delegate.isTransportThread();
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public Set<Capability> capabilities() {
    return delegate.capabilities();
  }

  /** The delegate's pool. */
  @Override
  public java.util.Optional<dev.switchboard.PoolStats> poolStats() {
    return delegate.poolStats();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
