package dev.switchboard.tck.selftest;

import dev.switchboard.Capability;
import dev.switchboard.Headers;
import dev.switchboard.TransportException;
import dev.switchboard.spi.Exchange;
import dev.switchboard.spi.ExchangeListener;
import dev.switchboard.spi.ExchangeRequest;
import dev.switchboard.spi.Fault;
import dev.switchboard.spi.TransportEngine;
import java.nio.ByteBuffer;
import java.util.Set;

/** An engine that passes everything to another; broken engines override what they break. */
public class ForwardingEngine implements TransportEngine {
  protected final TransportEngine delegate;

  public ForwardingEngine(TransportEngine delegate) {
    this.delegate = delegate;
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public Set<Capability> capabilities() {
    return delegate.capabilities();
  }

  @Override
  public Exchange start(ExchangeRequest request, ExchangeListener listener) {
    return delegate.start(request, listener);
  }

  @Override
  public boolean runAfterExchange(Runnable task) {
    return delegate.runAfterExchange(task);
  }

  @Override
  public void close() {
    delegate.close();
  }

  /** A listener that passes everything on. */
  public static class ForwardingListener implements ExchangeListener {
    protected final ExchangeListener delegate;

    public ForwardingListener(ExchangeListener delegate) {
      this.delegate = delegate;
    }

    @Override
    public void onRequestSent() {
      delegate.onRequestSent();
    }

    @Override
    public void onConnectionAcquired(boolean reused) {
      delegate.onConnectionAcquired(reused);
    }

    @Override
    public void onResponseHeaders(int status, Headers headers) {
      delegate.onResponseHeaders(status, headers);
    }

    @Override
    public void onBody(ByteBuffer chunk) {
      delegate.onBody(chunk);
    }

    @Override
    public void onComplete() {
      delegate.onComplete();
    }

    @Override
    public final void onFailure(TransportException failure) {
      onAnyFailure(null, null, failure);
    }

    @Override
    public final void onFailure(Fault fault, Throwable cause) {
      onAnyFailure(fault, cause, null);
    }

    /**
     * Every failure comes here: either the {@code fault} an engine reported with its {@code cause},
     * or an exception it {@code built} itself. Passes it on unchanged; a broken engine overrides
     * this to get failures wrong.
     */
    protected void onAnyFailure(Fault fault, Throwable cause, TransportException built) {
      if (built != null) {
        delegate.onFailure(built);
      } else {
        delegate.onFailure(fault, cause);
      }
    }
  }
}
