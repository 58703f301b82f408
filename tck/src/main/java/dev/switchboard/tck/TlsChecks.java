package dev.switchboard.tck;

import static dev.switchboard.tck.TckContext.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.switchboard.Capability;
import dev.switchboard.Request;
import dev.switchboard.TlsException;
import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import dev.switchboard.UnsupportedFeatureException;
import java.security.KeyStore;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Assertions;

/** Area {@code tls}. */
final class TlsChecks {
  private final TckContext ctx;

  TlsChecks(TckContext ctx) {
    this.ctx = ctx;
  }

  private TlsMaterial material() throws Exception {
    return TlsMaterial.get(ctx.workDir);
  }

  private RawServer server(KeyStore keys) throws Exception {
    return ctx.closeLater(
        RawServer.startTls(
            TlsMaterial.serverContext(keys),
            (req, conn) -> conn.respond(200, "secure " + req.path())));
  }

  /** Without the capability, asking for an SSLContext must be refused by create. */
  private boolean alternativeWithoutCustomContext() throws Exception {
    if (ctx.has(Capability.CUSTOM_SSL_CONTEXT)) {
      return false;
    }
    SSLContext trusting = TlsMaterial.trusting(material().good);
    Assertions.assertThrows(
        UnsupportedFeatureException.class,
        () -> ctx.create(TransportConfig.builder().sslContext(trusting).build()),
        "create() with an sslContext on a transport without CUSTOM_SSL_CONTEXT");
    ctx.alternativeVerified(
        "CUSTOM_SSL_CONTEXT not supported: create() rejects an sslContext with"
            + " UnsupportedFeatureException");
    return true;
  }

  void selfSignedRefused() throws Exception {
    TlsMaterial m = material();
    RawServer good = server(m.good);
    Transport byDefault = ctx.transport();
    TlsException e =
        TckContext.failure(byDefault.send(Request.get(good.uri("/"))), TlsException.class);
    assertFalse(e.requestSent(), "requestSent() after a refused handshake");
    Assertions.assertNotNull(e.getCause(), "the library's exception as cause");
    if (ctx.has(Capability.CUSTOM_SSL_CONTEXT)) {
      RawServer untrusted = server(m.untrusted);
      Transport trustingOthers =
          ctx.transport(b -> b.sslContext(trustingUnchecked(m.good, m.wrongName)));
      TckContext.failure(trustingOthers.send(Request.get(untrusted.uri("/"))), TlsException.class);
    }
    assertEquals(0, good.requestCount(), "requests that got through a refused handshake");
  }

  private static SSLContext trustingUnchecked(KeyStore... stores) {
    try {
      return TlsMaterial.trusting(stores);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  void trustedAccepted() throws Exception {
    if (alternativeWithoutCustomContext()) {
      return;
    }
    TlsMaterial m = material();
    RawServer good = server(m.good);
    Transport t = ctx.transport(b -> b.sslContext(trustingUnchecked(m.good)));
    assertEquals("secure /ok", ok(t.send(Request.get(good.uri("/ok")))).text());
    assertEquals("secure /again", ok(t.send(Request.get(good.uri("/again")))).text());
  }

  void hostnameVerified() throws Exception {
    if (alternativeWithoutCustomContext()) {
      return;
    }
    TlsMaterial m = material();
    RawServer wrong = server(m.wrongName);
    Transport t = ctx.transport(b -> b.sslContext(trustingUnchecked(m.wrongName)));
    TckContext.failure(t.send(Request.get(wrong.uri("/"))), TlsException.class);
    assertEquals(0, wrong.requestCount(), "a request went to a server with the wrong name");
  }
}
