package dev.switchboard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Wrong arguments give a clear one-line message, a pointer to --help, and exit status 2. */
class ArgumentErrorsTest {
  private static Cli.Run usageError(String... args) {
    Cli.Run run = Cli.run(args);
    assertThat(run.status()).as(run.out() + run.err()).isEqualTo(Main.USAGE);
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).contains("--help' for more information.");
    return run;
  }

  @Test
  void noCommand() {
    assertThat(usageError().err()).startsWith("switchboard: missing command");
  }

  @Test
  void unknownCommandSuggestsTheNearestOne() {
    assertThat(usageError("requets", "GET", "http://127.0.0.1:1/").err())
        .contains("Unmatched arguments")
        .contains("request");
  }

  @Test
  void unknownOption() {
    assertThat(usageError("request", "GET", "http://127.0.0.1:1/", "--bogus").err())
        .startsWith("switchboard request: Unknown option: '--bogus'");
  }

  @Test
  void durationWithoutUnit() {
    assertThat(usageError("request", "GET", "http://127.0.0.1:1/", "--timeout", "5").err())
        .contains("'5' is not a duration")
        .contains("500ms, 2s");
  }

  @Test
  void zeroDuration() {
    assertThat(usageError("request", "GET", "http://127.0.0.1:1/", "--connect-timeout", "0s").err())
        .contains("must be a positive duration");
  }

  @Test
  void missingUrl() {
    assertThat(usageError("request", "GET").err()).contains("Missing required parameter: 'URL'");
  }

  @Test
  void urlThatIsNotHttp() {
    assertThat(usageError("request", "GET", "ftp://127.0.0.1/x").err())
        .contains("is not an http or https URL");
  }

  @Test
  void methodThatIsNotAToken() {
    assertThat(usageError("request", "GE T", "http://127.0.0.1:1/").err())
        .contains("is not an HTTP token");
  }

  @Test
  void headerWithoutColon() {
    assertThat(usageError("request", "GET", "http://127.0.0.1:1/", "-H", "X-Test").err())
        .contains("write it as 'Name: value'");
  }

  @Test
  void headerValueWithNewline() {
    assertThat(usageError("request", "GET", "http://127.0.0.1:1/", "-H", "X-A: b\r\nX-B: c").err())
        .contains("is not a valid header");
  }

  @Test
  void dataFromAMissingFile() {
    assertThat(usageError("request", "POST", "http://127.0.0.1:1/", "--data", "@/no/such").err())
        .contains("no such file: /no/such");
  }

  @Test
  void invalidJsonData() {
    assertThat(
            usageError("request", "POST", "http://127.0.0.1:1/", "--json", "--data", "{nope").err())
        .contains("--data is not valid JSON");
  }

  @Test
  void unknownTransportListsThosePresent() {
    assertThat(usageError("request", "GET", "http://127.0.0.1:1/", "--transport", "nope").err())
        .contains("no transport named 'nope'; present: ")
        .contains("jdk");
  }

  @Test
  void repeatBelowOne() {
    assertThat(usageError("fanout", "http://127.0.0.1:1/", "--repeat", "0").err())
        .contains("--repeat must be at least 1");
  }

  @Test
  void repeatThatIsNotANumber() {
    assertThat(usageError("fanout", "http://127.0.0.1:1/", "--repeat", "many").err())
        .contains("'many' is not an int");
  }

  @Test
  void fanoutWithoutUrls() {
    assertThat(usageError("fanout").err()).contains("Missing required parameter");
  }

  @Test
  void checkOfAnUnknownTransport() {
    assertThat(usageError("check", "--transport", "nope").err())
        .startsWith("switchboard check: no transport named 'nope'; present: ");
  }

  @Test
  void checkInAnUnknownFormat() {
    assertThat(usageError("check", "--format", "xml").err())
        .contains("Invalid value for option '--format'")
        .contains("text, markdown, json");
  }
}
