/**
 * The {@code okhttp} transport: Switchboard over OkHttp 5 ({@code
 * com.squareup.okhttp3:okhttp-jvm}).
 *
 * <p>Found by {@link dev.switchboard.Transports#create()} through {@link
 * dev.switchboard.okhttp.OkHttpTransportProvider}; {@link dev.switchboard.okhttp.OkHttpTransports}
 * wraps an {@code OkHttpClient} the application already has. Capabilities: {@code HTTP_2} (over TLS
 * by ALPN; cleartext stays HTTP/1.1, OkHttp has no h2c upgrade) and {@code CUSTOM_SSL_CONTEXT}. No
 * {@code GET_WITH_BODY}: use {@link dev.switchboard.GetWithBody#AS_POST}.
 *
 * <h2>How OkHttp is made to follow the contract</h2>
 *
 * <ul>
 *   <li><b>No retries</b>: {@code retryOnConnectionFailure(false)} (it resends any method on a
 *       failed pooled connection, and a 408). OkHttp also resends a request answered {@code 503}
 *       with {@code Retry-After: 0} whatever that flag says; the transport hides that header from
 *       OkHttp's retry logic and reports the response with its headers as they came.
 *   <li><b>No redirects</b>: {@code followRedirects(false)}, {@code followSslRedirects(false)};
 *       Switchboard follows them itself when asked.
 *   <li><b>No transparent gzip</b>: OkHttp adds {@code Accept-Encoding: gzip} and decodes whenever
 *       a request has no {@code Accept-Encoding}. With compression off, a placeholder is set before
 *       OkHttp's bridge and removed after it (an interceptor on each side), so nothing is added on
 *       the wire and nothing is decoded. With compression on, Switchboard's own {@code gzip,
 *       deflate} goes out and Switchboard decodes.
 *   <li><b>No OkHttp User-Agent</b>: Switchboard always sets its own.
 *   <li><b>Limits</b>: the Dispatcher allows {@code maxConnectionsPerHost} calls per host and
 *       {@code maxConnections} in all (OkHttp: 5 and 64); the pool keeps up to {@code
 *       maxConnections} idle connections for 5 minutes. OkHttp counts "per host" by host name,
 *       whatever the port.
 *   <li><b>Timeouts</b>: the connect timeout of each exchange is applied per call ({@code
 *       Interceptor.Chain.withConnectTimeout}: one client, one pool, one dispatcher, no client per
 *       request). A request that needs neither that nor the placeholder encoding (the usual case:
 *       the configured connect timeout, compression on) is sent by the same client without the
 *       application-side interceptor, one chain step less per call. OkHttp times the TCP connect;
 *       its TLS handshake runs under the read timeout, so a watchdog cancels a handshake that
 *       outlives what is left of the connect timeout. OkHttp's read, write and call timeouts are
 *       off: Switchboard runs the response timeout (from {@code onRequestSent}) and the request
 *       timeout (aborting, which cancels the {@code Call}); an OkHttp read timeout would also fire
 *       between body chunks, which is not what the response timeout means. A server that stops
 *       reading an upload is therefore bounded only by the request timeout.
 *   <li><b>Request written</b>: {@code onRequestSent} is signalled on OkHttp's {@code
 *       requestBodyEnd} event ({@code requestHeadersEnd} without a body, or with {@code Expect:
 *       100-continue}, where OkHttp then waits for the server).
 *   <li><b>URLs</b>: a request's {@code HttpUrl} is derived from the URL of its origin (scheme and
 *       authority), parsed once and kept for the last origin seen in each of 16 slots, rather than
 *       parsed from the whole URI string every time; it is equal to what OkHttp's parser gives, for
 *       about half the work (the host's canonicalization is not repeated).
 *   <li><b>Header values</b> outside ASCII (which OkHttp's {@code Request.Builder} refuses) are
 *       sent as UTF-8 ({@code Headers.Builder.addUnsafeNonAscii}); Switchboard has already refused
 *       CR, LF and control characters.
 *   <li><b>304</b>: OkHttp reads a body for a 304 carrying {@code Content-Length} and waits for
 *       bytes that never come; the transport gives it no body and closes that HTTP/1 connection.
 *   <li><b>Threads</b>: the Dispatcher runs on daemon threads owned by the transport ({@code
 *       switchboard-okhttp-N-dispatcher-M}; OkHttp's own are not daemon), shut down by {@code
 *       close()}, which also evicts the pool unless it belongs to a wrapped user client. OkHttp's
 *       TaskRunner and Okio's watchdog threads are daemon.
 *   <li><b>Completions</b>: OkHttp runs each call on a dispatcher thread of its own, start to end,
 *       and starts another thread when all are busy. With the default callback executor, the future
 *       of a call is completed on that same thread once OkHttp has finished the call (the
 *       connection back in the pool, the call's place under the Dispatcher's limits free), instead
 *       of waking a callback thread for it: a continuation there holds nothing another call waits
 *       for, and one that blocks only keeps its thread. Completed earlier, inside OkHttp's {@code
 *       onResponse}, a blocking continuation would keep the call's place under the per-host limit.
 *       A supplied callback executor is always used. Not for a stream's headers: see Streaming.
 * </ul>
 *
 * <h2>Streaming</h2>
 *
 * <ul>
 *   <li><b>Request bodies</b> in memory are written from their bytes, as before. Any other body
 *       ({@code Body.ofFile}, {@code ofInputStream}, {@code ofPublisher}) is a {@code RequestBody}
 *       whose {@code writeTo} copies {@link dev.switchboard.Body#openStream()} to OkHttp's sink,
 *       one Okio segment (8 KiB) per read and flushed after each, on the call's dispatcher thread
 *       (OkHttp writes there; blocking on the source is fine). {@code contentLength()} is {@code
 *       body.length()}: a known length goes out as {@code Content-Length}, -1 as {@code
 *       Transfer-Encoding: chunked}. {@code isOneShot()} is true for a body that is not repeatable.
 *       The stream is closed when written, and by {@code abort()} (a request timeout, a cancel)
 *       while it is written, which wakes a thread blocked on a stalled source (for a user's {@code
 *       InputStream}: if its {@code close()} unblocks its {@code read}, as sockets, pipes and
 *       channels do). When the source fails, the call is cancelled (the request is cut in the
 *       middle: its connection must not be pooled) and OkHttp reports the source's {@code
 *       BodySourceException}, which the api reports as a failure of the request body. A {@code GET}
 *       or {@code HEAD} with a streaming body is refused like one with bytes.
 *   <li><b>A stream's body is read by its consumer</b> (the pull path, {@code
 *       ExchangeListener.offerBodyReader}): once Switchboard has taken the body of a streaming
 *       response, the consumer's own thread (the one calling {@code body().read}, or the callback
 *       thread draining {@code publisher()}) reads OkHttp's {@code response.body().source()}
 *       directly, one read of Okio (at most 8 KiB) per call, and nothing is read while it does not
 *       call: no hand-off of chunks between threads, which on 2 shared cores cost a third busy
 *       thread (measured: 0.46 of raw OkHttp's download throughput before, 0.89 after; {@code
 *       bench/README.md}). The dispatcher thread that carried the call parks until the consumer's
 *       reads meet the end or a failure, or the exchange is aborted, so that the call keeps its
 *       place under the Dispatcher's limits exactly as below; it closes the response only under the
 *       reader's lock, never under a read. The read timeout runs around each read (Switchboard
 *       aborts the call, which closes the socket under a blocked read); an interrupt of the reading
 *       thread does not end a read blocked on the socket. A body that is buffered ({@code send}),
 *       an error status's or a redirect's goes the demand path below.
 *   <li><b>Response bodies on the demand path</b> are read by the dispatcher thread that carried
 *       the call, from {@code response.body().source()}, one read (at most 16 KiB, what Okio has
 *       buffered or one read of the socket) per unit of demand and one {@code onBody} per read.
 *       With no demand outstanding the thread parks ({@code LockSupport.park}, no spinning) until
 *       {@code request} or {@code abort} unparks it, and reads nothing meanwhile: the socket's
 *       receive buffer fills and TCP holds the server back. {@code request} only adds to a counter,
 *       from any thread, and from inside {@code onBody} too (the loop then just goes on); nothing
 *       is delivered on the caller's thread. Unbounded demand ({@code Long.MAX_VALUE}, a buffered
 *       {@code send}) is never counted down and costs one volatile read per chunk, as fast as the
 *       loop was before demand. A body OkHttp knows to be empty (HEAD, 204, 304, {@code
 *       Content-Length: 0}) completes without demand.
 *   <li><b>What a waiting stream holds</b>: while its consumer has not read or closed it, an open
 *       {@code StreamingResponse} keeps its connection, its dispatcher thread (parked; the pool
 *       starts another thread for the next call) and its place under the Dispatcher's limits:
 *       OkHttp releases a call's slot of {@code maxConnectionsPerHost} and {@code maxConnections}
 *       only when the callback returns, i.e. when the body has been read to its end, has failed or
 *       has been closed. With {@code maxConnectionsPerHost} streams open on one host, further calls
 *       to it wait in OkHttp's queue until one of them is closed (their request timeout, if any,
 *       runs meanwhile). Read or close every stream.
 *   <li><b>Completions and streams</b>: a completion is lent to the dispatcher thread (see
 *       Completions above) only when that thread cannot wait for demand any more: the body ended or
 *       failed, the exchange was aborted, or demand is unbounded. The future of {@code
 *       Transport.stream} completes at the headers, before the consumer has asked for anything;
 *       lent to the thread that reads the body, it would run only after the body, which waits for
 *       the consumer that future is to start. It goes to the callback executor instead. A buffered
 *       {@code send} asks unbounded demand at the headers, so its completion is lent as before.
 * </ul>
 *
 * <h2>Errors</h2>
 *
 * What the call had done when OkHttp failed is read from per-call {@code EventListener} events:
 * before a connection was acquired, a timeout is a {@link dev.switchboard.ConnectTimeoutException},
 * an {@code SSLException} (handshake, {@code SSLPeerUnverifiedException} for a wrong host name) a
 * {@link dev.switchboard.TlsException}, anything else ({@code ConnectException}, unknown host) a
 * {@link dev.switchboard.ConnectionException}; once the request was being written, a failure before
 * the response ({@code ProtocolException}, "unexpected end of stream", a reset, {@code
 * StreamResetException}) is a {@link dev.switchboard.MalformedResponseException}, and so is one in
 * the middle of the body. One case is told apart: when the connection came from the pool ({@code
 * connectionAcquired} without {@code connectStart} for the call) and the stream ended before any
 * byte of the response, the failure is a {@link dev.switchboard.StaleConnectionException} (see
 * below). The "Canceled" that follows an abort is not reported.
 *
 * <h2>Known differences</h2>
 *
 * <ul>
 *   <li>OkHttp normalizes URLs: dot segments are removed from the path ({@code /a/./b/../c} is sent
 *       as {@code /a/c}) and {@code '} in a query is sent as {@code %27}.
 *   <li><b>Stale pooled connections</b>: OkHttp checks a pooled connection for a close by the
 *       server only for methods other than GET and only after 10 s idle, so without its retries a
 *       request is often written on a connection the server has already closed (idle keep-alive
 *       timeout, restart). That call fails with {@link dev.switchboard.StaleConnectionException}
 *       ({@code requestSent()} true), which {@link dev.switchboard.RetryPolicy} retries on a new
 *       connection for idempotent methods (RFC 9112 section 9.3.1); without a {@code RetryPolicy},
 *       and for methods that are not idempotent (POST, PATCH), the caller sees it. It is reported
 *       only when the end of stream came before any byte of the response: a partial or garbled
 *       status line, a reset, or a close on a connection opened for the call stay a {@code
 *       MalformedResponseException}. "Nothing came" is read from the message of Okio's {@code
 *       EOFException} ({@code limit=0}), as OkHttp has no event for it ({@code
 *       responseHeadersStart} comes after the whole head).
 *   <li><b>Back-pressure on HTTP/2</b> starts later: OkHttp's HTTP/2 reader thread (not the
 *       dispatcher thread that waits for demand) takes a stream's DATA frames into a buffer of the
 *       stream's own as long as the flow-control window it advertised allows, 16 MiB per stream and
 *       per connection ({@code Http2Connection.OKHTTP_CLIENT_WINDOW_SIZE}, not configurable), and
 *       opens the window again as the body is read. A paused consumer on HTTP/2 thus lets up to 16
 *       MiB per stream (and per connection) arrive before the server is held back, where HTTP/1.1
 *       stops at the socket buffers.
 * </ul>
 */
package dev.switchboard.okhttp;
