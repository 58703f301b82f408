package dev.switchboard.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.Request;
import dev.switchboard.Response;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Keeps the soak ({@link Soak}) compiling and honest, not measuring: a short run on one transport
 * classifies every outcome as the server's choice calls for and hangs on none. Timeouts are longer
 * than the soak's defaults (a loaded CI machine must not turn a normal answer into a timeout), and
 * the response timeout is twice the read timeout, so that a body stall is told from a head stall by
 * a wide margin (with both equal, a library timer derived from the response timeout races the read
 * timeout: the full soak shows it); the leak counts are printed, not asserted (other tests share
 * this JVM).
 */
class SoakSmokeTest {
  @Test
  void aShortSoakClassifiesEveryOutcomeAndHangsOnNone() throws Exception {
    Soak.Options options =
        Soak.Options.parse(
            "transport=apache",
            "requests=300",
            "inFlight=16",
            "connectTimeout=5000",
            "responseTimeout=6000",
            "readTimeout=3000",
            "stall=10000",
            "hang=30000",
            "settle=1000");
    long faultsPlanned = Arrays.stream(Soak.plan(options)).filter(Soak.Fault::isFault).count();

    Soak.Result result = Soak.run(options, false);
    System.out.println(result.summary());

    assertEquals(300, result.requests);
    assertEquals(faultsPlanned, result.faults);
    assertTrue(result.faults > 10, "the seeded plan has faults: " + result.faults);
    assertEquals(0, result.hangs, "hangs: " + result.problems);
    assertEquals(0, result.misclassified, "misclassified: " + result.problems);
    int outcomes =
        result.outcomes.values().stream()
            .flatMap(m -> m.values().stream())
            .mapToInt(Integer::intValue)
            .sum();
    assertEquals(300, outcomes, "every request has an outcome: " + result.outcomes);
  }

  @Test
  void theCheckRejectsAnOutcomeThatIsNotTheServersChoice() {
    Request request = Request.get("http://127.0.0.1:1/soak/5/NOT_FOUND");
    Response ok = Response.builder(request, 200).body(SoakServer.body(5, Soak.Fault.OK)).build();
    assertNull(Soak.check(5, Soak.Fault.OK, ok, null, 1));
    assertNotNull(Soak.check(5, Soak.Fault.NOT_FOUND, ok, null, 1), "a 200 for a 404");
    assertNotNull(Soak.check(5, Soak.Fault.OK, ok, null, 2), "a resend of a normal answer");
    assertNotNull(Soak.check(5, Soak.Fault.GARBAGE, ok, null, 2), "a resend after garbage");
    assertNull(Soak.check(5, Soak.Fault.CLOSE, okFor(5, Soak.Fault.CLOSE), null, 2));
    assertNotNull(Soak.check(5, Soak.Fault.CLOSE, okFor(5, Soak.Fault.CLOSE), null, 1));
    assertNotNull(Soak.check(5, Soak.Fault.OK_GZIP, ok, null, 1), "another request's body");
  }

  private static Response okFor(int id, Soak.Fault fault) {
    return Response.builder(Request.get("http://127.0.0.1:1/soak/" + id + "/" + fault), 200)
        .body(SoakServer.body(id, fault))
        .build();
  }
}
