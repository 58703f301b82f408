package dev.switchboard;

import dev.switchboard.spi.TransportEngine;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What the parts of one transport's layer share: the engine, the configuration, the threads, where
 * completions run, the silence watch and the calls in flight. A holder; the policy lives in the
 * parts ({@link Call}, {@link ExchangeState}, {@link WirePreparation}, {@link InterceptorChain},
 * {@link RedirectFollower}).
 */
final class Layer {
  final TransportEngine engine;
  final TransportConfig config;
  final String name;
  final Set<Capability> capabilities;
  final ThreadRoles roles = new ThreadRoles();
  final CompletionDispatch dispatch;
  final Set<Call> inFlight = ConcurrentHashMap.newKeySet();
  final SilenceWatch silence = new SilenceWatch(inFlight);
  final WirePreparation preparation;
  final WireAuthentication authentication;
  final WireLog wireLog;
  final AtomicBoolean listenerWarned = new AtomicBoolean();
  volatile boolean closed;
  volatile Throwable breakdown; // what stopped the engine's library for good, or null

  Layer(TransportEngine engine, TransportConfig config) {
    this.engine = engine;
    this.config = config;
    this.name = engine.name();
    this.capabilities = Set.copyOf(engine.capabilities());
    this.dispatch = new CompletionDispatch(engine, config, roles);
    this.preparation = new WirePreparation(config, name, capabilities);
    this.authentication = new WireAuthentication(config, name);
    this.wireLog = new WireLog(config.redactedHeaders());
  }

  TransportException closedException(Request request, boolean inFlight) {
    return new TransportException(
        inFlight
            ? "the transport was closed while this request was in flight"
            : "the transport is closed; create a new one to send requests",
        request,
        name,
        inFlight,
        null);
  }

  /** The failure of a call refused, or cut short, because the engine's library stopped working. */
  TransportException breakdownException(Request request, boolean inFlight) {
    return new TransportException(
        "the HTTP library under this transport stopped working (a thread it needs died); close"
            + " this transport and create a new one",
        request,
        name,
        inFlight,
        breakdown);
  }
}
