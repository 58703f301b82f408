package dev.switchboard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FanoutCommandTest {
  static final String T = "jdk";
  static LocalServer server;

  @BeforeAll
  static void start() throws IOException {
    server = new LocalServer();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void sendsAllAtOnceSoTheTotalIsFarBelowTheSum() {
    Cli.Run run =
        Cli.run(
            "fanout", server.url("/slow"), server.url("/json"), "--repeat", "4", "--transport", T);

    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.out().lines().filter(l -> l.contains("200 OK")).count()).isEqualTo(8);
    // the total and the sum as Times prints them: "312 ms" or "1.52 s"
    Matcher m =
        Pattern.compile("8 requests via jdk: ([\\d.]+) (ms|s) in all, against ([\\d.]+) (ms|s) for")
            .matcher(run.out());
    assertThat(m.find()).as(run.out()).isTrue();
    double total = Double.parseDouble(m.group(1)) * (m.group(2).equals("s") ? 1000 : 1);
    double sum = Double.parseDouble(m.group(3)) * (m.group(4).equals("s") ? 1000 : 1);
    // four 1 s requests alone sum to 4 s; sent at once the whole takes about one delay (the
    // bound is wide for a loaded machine, and still below the sum)
    assertThat(total).as(run.out()).isLessThan(3_000);
    assertThat(sum).as(run.out()).isGreaterThanOrEqualTo(4_000);
  }

  @Test
  void aFailureIsShownOnItsLineAndTheExitStatusIsOne() {
    Cli.Run run = Cli.run("fanout", server.url("/json"), server.url("/missing"), "--transport", T);

    assertThat(run.status()).isEqualTo(Main.FAILED);
    assertThat(run.out())
        .contains("200 OK")
        .contains("NotFoundException: HTTP 404 Not Found")
        .contains("2 requests via jdk")
        .contains("1 failed");
  }

  @Test
  void helpIsShownWithExitZero() {
    Cli.Run run = Cli.run("fanout", "--help");

    assertThat(run.status()).isZero();
    assertThat(run.out()).contains("Usage: switchboard fanout").contains("--repeat=N");
  }
}
