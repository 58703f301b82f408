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
 * @param responseTimeout the response timeout for this exchange; the api layer enforces it from
 *     {@link ExchangeListener#onRequestSent()}, so an engine need not (it may use it as a socket
 *     idle timeout too, reporting a {@link dev.switchboard.ResponseTimeoutException})
 */
public record ExchangeRequest(Request request, Duration connectTimeout, Duration responseTimeout) {
  /** Checks that nothing is missing. */
  public ExchangeRequest {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(responseTimeout, "responseTimeout");
  }
}
