package dev.switchboard.tck;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The certificates of the TLS checks, made when first needed with the JDK's own {@code keytool}
 * (run from {@code java.home}): one for {@code 127.0.0.1}/{@code localhost}, one for another name
 * ({@code wrong.invalid}), and one for {@code 127.0.0.1} that nothing trusts. Each is a self-signed
 * EC key with ten years of validity, written under the report directory; nothing is read from
 * outside the build.
 */
final class TlsMaterial {
  static final String PASSWORD_TEXT = "switchboard-tck";
  private static final char[] PASSWORD = "switchboard-tck".toCharArray();
  private static volatile TlsMaterial instance;

  final KeyStore good;
  final KeyStore wrongName;
  final KeyStore untrusted;
  final Path goodFile;

  private TlsMaterial(Path goodFile, KeyStore good, KeyStore wrongName, KeyStore untrusted) {
    this.goodFile = goodFile;
    this.good = good;
    this.wrongName = wrongName;
    this.untrusted = untrusted;
  }

  static TlsMaterial get(Path dir) throws Exception {
    TlsMaterial m = instance;
    if (m == null) {
      synchronized (TlsMaterial.class) {
        m = instance;
        if (m == null) {
          m = make(dir);
          instance = m;
        }
      }
    }
    return m;
  }

  private static TlsMaterial make(Path parent) throws Exception {
    Files.createDirectories(parent);
    Path dir = Files.createTempDirectory(parent, "tls-");
    String[][] specs = {
      {"good", "CN=127.0.0.1", "SAN=ip:127.0.0.1,dns:localhost"},
      {"wrong", "CN=wrong.invalid", "SAN=dns:wrong.invalid"},
      {"untrusted", "CN=127.0.0.1", "SAN=ip:127.0.0.1,dns:localhost"},
    };
    String keytool =
        Path.of(System.getProperty("java.home"), "bin", isWindows() ? "keytool.exe" : "keytool")
            .toString();
    List<Process> running = new ArrayList<>();
    for (String[] s : specs) {
      Path ks = dir.resolve(s[0] + ".p12");
      ProcessBuilder pb =
          new ProcessBuilder(
                  keytool,
                  "-genkeypair",
                  "-alias",
                  "tck",
                  "-keyalg",
                  "EC",
                  "-groupname",
                  "secp256r1",
                  "-sigalg",
                  "SHA256withECDSA",
                  "-dname",
                  s[1],
                  "-ext",
                  s[2],
                  "-validity",
                  "3650",
                  "-storetype",
                  "PKCS12",
                  "-keystore",
                  ks.toString(),
                  "-storepass",
                  new String(PASSWORD),
                  "-keypass",
                  new String(PASSWORD))
              .redirectErrorStream(true);
      running.add(pb.start());
    }
    for (int i = 0; i < running.size(); i++) {
      Process p = running.get(i);
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("keytool did not finish within 60 s");
      }
      if (p.exitValue() != 0) {
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        throw new IOException("keytool failed for " + specs[i][0] + ": " + out);
      }
    }
    return new TlsMaterial(
        dir.resolve("good.p12"),
        load(dir.resolve("good.p12")),
        load(dir.resolve("wrong.p12")),
        load(dir.resolve("untrusted.p12")));
  }

  private static boolean isWindows() {
    return System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("win");
  }

  private static KeyStore load(Path p) throws IOException, GeneralSecurityException {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(p)) {
      ks.load(in, PASSWORD);
    }
    return ks;
  }

  /** A server-side context presenting the key in {@code keys}. */
  static SSLContext serverContext(KeyStore keys) throws GeneralSecurityException {
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, PASSWORD);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, null);
    return ctx;
  }

  /** A client context trusting exactly the certificates of {@code stores}. */
  static SSLContext trusting(KeyStore... stores) throws GeneralSecurityException, IOException {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    int i = 0;
    for (KeyStore ks : stores) {
      Certificate c = ks.getCertificate("tck");
      trust.setCertificateEntry("cert-" + i++, c);
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }
}
