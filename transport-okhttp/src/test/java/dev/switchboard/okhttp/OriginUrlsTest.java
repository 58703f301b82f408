package dev.switchboard.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.Test;

/** The URL derived from a held origin is the one OkHttp's own parser gives for the same URI. */
class OriginUrlsTest {
  private static final String[] SCHEMES = {"http", "https", "HTTP", "Https"};
  private static final String[] AUTHORITIES = {
    "127.0.0.1",
    "127.0.0.1:9200",
    "127.0.0.1:80",
    "127.0.0.1:443",
    "localhost:8080",
    "[::1]",
    "[::1]:9200",
    "[0:0:0:0:0:0:0:1]:9201",
    "user:p%40ss@127.0.0.1:9200",
    "Search.Example.TEST",
    "xn--bcher-kva.test:9200",
    "node_1:9200", // a registry-based authority for java.net.URI
    "127.0.0.1:99999", // OkHttp refuses the port
  };
  private static final String[] SEGMENTS = {
    "a",
    "idx-1",
    "_search",
    ".",
    "..",
    "%2e",
    "%2E%2e",
    "b%20c",
    "x+y",
    "a;b=c",
    "%2F",
    "~user",
    "@",
    ":",
    "!$&'()*,=",
    "",
    "\u00fc",
    "%C3%BC",
    "%7Bx%7D"
  };
  private static final String[] QUERIES = {
    null, "", "a=b", "a=b&c", "q=%20+x", "\u00fc=1", "a=b?c/d", "pretty&size=10", "%2B=%26"
  };
  private static final String[] FRAGMENTS = {null, "", "top", "a%20b", "\u00fc", "x?y"};

  @Test
  void everyUriGetsTheUrlOkHttpWouldParseWhetherItsOriginIsHeldOrNot() {
    Random random = new Random(20261125);
    OriginUrls urls = new OriginUrls();
    int compared = 0;
    int refused = 0;
    for (int i = 0; i < 5_000; i++) {
      URI uri = randomUri(random);
      if (uri == null) {
        continue;
      }
      HttpUrl expected;
      try {
        expected = HttpUrl.get(uri.toString());
      } catch (IllegalArgumentException e) {
        assertThrows(IllegalArgumentException.class, () -> urls.url(uri), uri::toString);
        refused++;
        continue;
      }
      // first with whatever the slot holds, then surely with this origin held
      assertEquals(expected, urls.url(uri), uri::toString);
      assertEquals(expected, urls.url(uri), () -> "held origin: " + uri);
      assertEquals(expected.toString(), urls.url(uri).toString());
      compared++;
    }
    assertTrue(compared > 3_000, "too few URIs compared: " + compared);
    assertTrue(refused > 0, "no URI OkHttp refuses was tried");
  }

  @Test
  void originsSharingASlotReplaceEachOtherWithoutMixingUp() {
    OriginUrls urls = new OriginUrls();
    List<URI> uris = new ArrayList<>();
    for (int port = 9000; port < 9100; port++) { // 100 origins, 16 slots
      uris.add(URI.create("http://127.0.0.1:" + port + "/i/_doc/" + port + "?q=" + port));
    }
    for (int round = 0; round < 3; round++) {
      for (URI uri : uris) {
        assertEquals(HttpUrl.get(uri.toString()), urls.url(uri));
      }
    }
  }

  @Test
  void aUriWithoutAuthorityFailsAsInOkHttp() {
    OriginUrls urls = new OriginUrls();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> urls.url(URI.create("/relative")));
    assertTrue(e.getMessage().contains("scheme"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> urls.url(URI.create("mailto:a@b.test")));
  }

  private static URI randomUri(Random random) {
    StringBuilder s = new StringBuilder();
    s.append(pick(random, SCHEMES)).append("://").append(pick(random, AUTHORITIES));
    int segments = random.nextInt(5);
    for (int i = 0; i < segments; i++) {
      s.append('/').append(pick(random, SEGMENTS));
    }
    if (segments > 0 && random.nextInt(4) == 0) {
      s.append('/');
    }
    String query = pick(random, QUERIES);
    if (query != null) {
      s.append('?').append(query);
    }
    String fragment = pick(random, FRAGMENTS);
    if (fragment != null) {
      s.append('#').append(fragment);
    }
    try {
      return new URI(s.toString());
    } catch (URISyntaxException e) {
      return null; // not a URI a Request could hold
    }
  }

  private static String pick(Random random, String[] from) {
    return from[random.nextInt(from.length)];
  }
}
