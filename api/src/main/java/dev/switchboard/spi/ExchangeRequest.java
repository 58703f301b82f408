package dev.switchboard.spi;

import dev.switchboard.Request;
import java.time.Duration;
import java.util.Objects;

/**
 * One exchange for an engine to carry: the request exactly as it must go on the wire and the
 * timeouts in force for it.
 *
 * @param request the request to send: method, URI, headers (User-Agent and Accept-Encoding already
 *     set by the api layer) and body
 * @param connectTimeout the connect timeout (TCP and TLS) for this exchange; the engine enforces it
 * @param responseTimeout the response timeout for this exchange, for information: the api layer
 *     enforces it from {@link ExchangeListener#onRequestSent()}, and the read timeout from {@link
 *     ExchangeListener#onResponseHeaders}, so an engine must not set any library timeout from it (a
 *     socket idle timeout would also end a body that pauses: a different meaning)
 */
public record ExchangeRequest(Request request, Duration connectTimeout, Duration responseTimeout) {
  /** Checks that nothing is missing. */
  public ExchangeRequest {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(responseTimeout, "responseTimeout");
  }
}
