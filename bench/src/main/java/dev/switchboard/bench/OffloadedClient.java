package dev.switchboard.bench;

import java.net.URI;
import java.util.concurrent.ExecutorService;

/**
 * A library used raw, but told of each ended request on a thread of a cached pool instead of the
 * thread the library calls back on: what a raw user would write to keep the library's I/O threads
 * free of their own code, and what Switchboard did until 2026-11-25 when the library's callback
 * thread may not be lent (Apache's I/O reactor, an event loop). Its throughput against {@value
 * Clients#RAW} is the price of that hand-off done the usual way.
 *
 * <p>Only {@link #send} hands off; the blocking methods wait on the library's own future as the raw
 * client does.
 */
final class OffloadedClient implements Client {
  private final Client raw;
  private final ExecutorService callbacks;

  OffloadedClient(Client raw) {
    this.raw = raw;
    // the usual choice, and Switchboard's default callback executor until 2026-11-25
    this.callbacks = Clients.cachedDaemonPool("offloaded-callback");
  }

  @Override
  public void send(URI uri, Done done) {
    raw.send(uri, error -> callbacks.execute(() -> done.done(error)));
  }

  @Override
  public int call(URI uri) throws Exception {
    return raw.call(uri);
  }

  @Override
  public byte[] bytes(URI uri) throws Exception {
    return raw.bytes(uri);
  }

  @Override
  public Object json(URI uri) throws Exception {
    return raw.json(uri);
  }

  @Override
  public void close() {
    raw.close();
    callbacks.shutdown();
  }
}
