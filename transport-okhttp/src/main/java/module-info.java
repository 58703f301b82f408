/**
 * The {@code okhttp} transport: Switchboard over OkHttp 5. Found through {@code provides}; {@link
 * dev.switchboard.okhttp.OkHttpTransports} wraps an {@code OkHttpClient} the application already
 * has.
 */
module dev.switchboard.okhttp {
  requires transitive dev.switchboard;
  // okhttp-jvm's module; it requires okio and kotlin.stdlib transitively, and the transport uses
  // okio directly too
  requires transitive okhttp3;
  requires okio;

  exports dev.switchboard.okhttp;

  provides dev.switchboard.spi.TransportProvider with
      dev.switchboard.okhttp.OkHttpTransportProvider;
}
