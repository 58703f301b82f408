package dev.switchboard.tck.selftest;

import dev.switchboard.AttemptEvent;
import dev.switchboard.CallEvent;
import dev.switchboard.Capability;
import dev.switchboard.EventListener;
import dev.switchboard.Headers;
import dev.switchboard.HttpStatusException;
import dev.switchboard.Request;
import dev.switchboard.Response;
import dev.switchboard.StreamingResponse;
import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import dev.switchboard.TransportException;
import dev.switchboard.Transports;
import dev.switchboard.spi.Exchange;
import dev.switchboard.spi.ExchangeListener;
import dev.switchboard.spi.ExchangeRequest;
import dev.switchboard.spi.TransportEngine;
import dev.switchboard.tck.selftest.ForwardingEngine.ForwardingListener;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The event bugs for {@link BrokenTransports}: most are a listener adapter that gets the layer's
 * events wrong on their way to the user's listener (the mistakes of hand-written event bridges),
 * over the real jdk transport; one is an engine that misreports its connections.
 */
final class BrokenEvents {
  private BrokenEvents() {}

  /** A jdk transport whose user listener is reached only through {@code relay}. */
  static Function<TransportConfig, Transport> relayed(UnaryOperator<EventListener> relay) {
    return c -> {
      EventListener user = c.eventListener();
      return Transports.create(
          BrokenTransports.jdkConfig(
              c.toBuilder().eventListener(user == null ? null : relay.apply(user)).build()));
    };
  }

  /** Passes every event on; the broken relays override what they break. */
  static class Relay implements EventListener {
    final EventListener user;

    Relay(EventListener user) {
      this.user = user;
    }

    @Override
    public void callStart(CallEvent call) {
      user.callStart(call);
    }

    @Override
    public void attemptStart(AttemptEvent attempt) {
      user.attemptStart(attempt);
    }

    @Override
    public void connectionAcquired(AttemptEvent attempt, boolean reused) {
      user.connectionAcquired(attempt, reused);
    }

    @Override
    public void requestSent(AttemptEvent attempt) {
      user.requestSent(attempt);
    }

    @Override
    public void responseHeaders(AttemptEvent attempt, int status, Headers headers) {
      user.responseHeaders(attempt, status, headers);
    }

    @Override
    public void responseBodyEnd(AttemptEvent attempt, long bytes) {
      user.responseBodyEnd(attempt, bytes);
    }

    @Override
    public void attemptFailed(AttemptEvent attempt, TransportException failure) {
      user.attemptFailed(attempt, failure);
    }

    @Override
    public void callEnd(CallEvent call, int status) {
      user.callEnd(call, status);
    }

    @Override
    public void callFailed(CallEvent call, TransportException failure) {
      user.callFailed(call, failure);
    }
  }

  /** Tells only each call's first attempt: redirects, retries and resends vanish. */
  static final class FirstAttemptOnly extends Relay {
    FirstAttemptOnly(EventListener user) {
      super(user);
    }

    @Override
    public void attemptStart(AttemptEvent a) {
      if (a.number() == 1) {
        user.attemptStart(a);
      }
    }

    @Override
    public void requestSent(AttemptEvent a) {
      if (a.number() == 1) {
        user.requestSent(a);
      }
    }

    @Override
    public void responseHeaders(AttemptEvent a, int status, Headers headers) {
      if (a.number() == 1) {
        user.responseHeaders(a, status, headers);
      }
    }

    @Override
    public void responseBodyEnd(AttemptEvent a, long bytes) {
      if (a.number() == 1) {
        user.responseBodyEnd(a, bytes);
      }
    }

    @Override
    public void attemptFailed(AttemptEvent a, TransportException failure) {
      if (a.number() == 1) {
        user.attemptFailed(a, failure);
      }
    }
  }

  /**
   * Tells {@code requestSent} only once the response head came, after it (a bridge that takes the
   * first byte of the response for the end of the request).
   */
  static final class SentAfterHeaders extends Relay {
    SentAfterHeaders(EventListener user) {
      super(user);
    }

    @Override
    public void requestSent(AttemptEvent a) {}

    @Override
    public void responseHeaders(AttemptEvent a, int status, Headers headers) {
      user.responseHeaders(a, status, headers);
      user.requestSent(a);
    }
  }

  /**
   * Tells {@code attemptStart} late, when the request has gone (a bridge hooked after the send):
   * the order still looks right, but headers the listener sets never reach the server.
   */
  static final class LateAttemptStart extends Relay {
    private final Set<AttemptEvent> told = ConcurrentHashMap.newKeySet();

    LateAttemptStart(EventListener user) {
      super(user);
    }

    private void tell(AttemptEvent a) {
      if (told.add(a)) {
        user.attemptStart(a);
      }
    }

    @Override
    public void attemptStart(AttemptEvent a) {}

    @Override
    public void requestSent(AttemptEvent a) {
      tell(a);
      user.requestSent(a);
    }

    @Override
    public void responseHeaders(AttemptEvent a, int status, Headers headers) {
      tell(a);
      user.responseHeaders(a, status, headers);
    }

    @Override
    public void attemptFailed(AttemptEvent a, TransportException failure) {
      tell(a);
      user.attemptFailed(a, failure);
    }
  }

  /** Tells a call failed by an error status as an ordinary end with that status. */
  static final class StatusIsNoFailure extends Relay {
    StatusIsNoFailure(EventListener user) {
      super(user);
    }

    @Override
    public void callFailed(CallEvent call, TransportException failure) {
      if (failure instanceof HttpStatusException e) {
        user.callEnd(call, e.status());
      } else {
        user.callFailed(call, failure);
      }
    }
  }

  /** Tells every failure as a new, generic exception with the same message. */
  static final class RewrapsFailures extends Relay {
    RewrapsFailures(EventListener user) {
      super(user);
    }

    @Override
    public void attemptFailed(AttemptEvent a, TransportException failure) {
      user.attemptFailed(a, generic(failure));
    }

    @Override
    public void callFailed(CallEvent call, TransportException failure) {
      user.callFailed(call, generic(failure));
    }

    private static TransportException generic(TransportException e) {
      return new TransportException(
          e.getMessage(), e.request(), e.transport(), e.requestSent(), e.getCause());
    }
  }

  /** Tells a stream closed before the end of its body as a failed call. */
  static final class EarlyCloseIsFailure extends Relay {
    private final Map<CallEvent, Boolean> bodyEnded = new ConcurrentHashMap<>();

    EarlyCloseIsFailure(EventListener user) {
      super(user);
    }

    @Override
    public void responseHeaders(AttemptEvent a, int status, Headers headers) {
      bodyEnded.put(a.call(), false);
      user.responseHeaders(a, status, headers);
    }

    @Override
    public void responseBodyEnd(AttemptEvent a, long bytes) {
      bodyEnded.put(a.call(), true);
      user.responseBodyEnd(a, bytes);
    }

    @Override
    public void callEnd(CallEvent call, int status) {
      if (Boolean.FALSE.equals(bodyEnded.remove(call))) {
        user.callFailed(
            call,
            new TransportException(
                "the stream was closed before its end",
                call.request(),
                call.transport(),
                true,
                null));
      } else {
        user.callEnd(call, status);
      }
    }
  }

  /**
   * Keeps "the current call" in one field for all calls (set at each call's start) and tells the
   * calls' ends with it: concurrent calls get each other's ends.
   */
  static final class SharedCurrentCall extends Relay {
    private volatile CallEvent current;

    SharedCurrentCall(EventListener user) {
      super(user);
    }

    @Override
    public void callStart(CallEvent call) {
      current = call;
      user.callStart(call);
    }

    @Override
    public void callEnd(CallEvent call, int status) {
      user.callEnd(current, status);
    }

    @Override
    public void callFailed(CallEvent call, TransportException failure) {
      user.callFailed(current, failure);
    }
  }

  /**
   * Lets the listener's exception end the call: a transport that wraps the calls and fails any
   * whose listener threw (a bridge that calls the listener without a guard).
   */
  static Transport listenerFailureFailsCall(TransportConfig c) {
    EventListener user = c.eventListener();
    Map<Request, RuntimeException> thrown = new ConcurrentHashMap<>();
    EventListener guardless =
        user == null
            ? null
            : new Relay(user) {
              private void run(Request r, Runnable event) {
                try {
                  event.run();
                } catch (RuntimeException e) {
                  thrown.putIfAbsent(r, e);
                }
              }

              @Override
              public void callStart(CallEvent call) {
                run(call.request(), () -> user.callStart(call));
              }

              @Override
              public void attemptStart(AttemptEvent a) {
                run(a.call().request(), () -> user.attemptStart(a));
              }

              @Override
              public void responseHeaders(AttemptEvent a, int status, Headers headers) {
                run(a.call().request(), () -> user.responseHeaders(a, status, headers));
              }
            };
    Transport jdk =
        Transports.create(
            BrokenTransports.jdkConfig(c.toBuilder().eventListener(guardless).build()));
    return new ForwardingTransport(jdk) {
      private <T> CompletableFuture<T> checked(Request r, CompletableFuture<T> f) {
        return f.thenApply(
            v -> {
              RuntimeException e = thrown.remove(r);
              if (e != null) {
                if (v instanceof StreamingResponse s) {
                  s.close();
                }
                throw e;
              }
              return v;
            });
      }

      @Override
      public CompletableFuture<Response> send(Request request) {
        return checked(request, delegate.send(request));
      }

      @Override
      public CompletableFuture<StreamingResponse> stream(Request request) {
        return checked(request, delegate.stream(request));
      }

      @Override
      public Response execute(Request request) {
        return send(request).join();
      }
    };
  }

  /**
   * Declares {@link Capability#CONNECTION_EVENTS} and tells every connection as new, pooled or not.
   */
  static final class EveryConnectionNew extends ForwardingEngine {
    EveryConnectionNew(TransportEngine delegate) {
      super(delegate);
    }

    @Override
    public Set<Capability> capabilities() {
      EnumSet<Capability> caps = EnumSet.of(Capability.CONNECTION_EVENTS);
      caps.addAll(delegate.capabilities());
      return caps;
    }

    @Override
    public Exchange start(ExchangeRequest request, ExchangeListener listener) {
      return delegate.start(
          request,
          new ForwardingListener(listener) {
            private boolean told;

            @Override
            public void onRequestSent() {
              if (!told) {
                told = true;
                delegate.onConnectionAcquired(false);
              }
              delegate.onRequestSent();
            }

            @Override
            public void onResponseHeaders(int status, Headers headers) {
              if (!told) {
                told = true;
                delegate.onConnectionAcquired(false);
              }
              delegate.onResponseHeaders(status, headers);
            }
          });
    }
  }
}
