package dev.switchboard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DownloadProgressTest {
  private final AtomicLong now = new AtomicLong(5_000_000_000L);
  private final StringWriter err = new StringWriter();

  private DownloadProgress progress(long total) {
    return new DownloadProgress(new PrintWriter(err, true), total, now::get);
  }

  @Test
  void aKnownLengthShowsBarPercentAndRate() {
    DownloadProgress p = progress(100L * 1024 * 1024);
    now.addAndGet(2_000_000_000L);
    p.advance(25L * 1024 * 1024);
    assertThat(err.toString())
        .isEqualTo(
            "\r"
                + "  25.0 MiB / 100.0 MiB [#######---------------------]  25%  12.5 MiB/s"
                + " ".repeat(79 - 70));
  }

  @Test
  void anUnknownLengthShowsBytesAndRate() {
    DownloadProgress p = progress(-1);
    now.addAndGet(1_000_000_000L);
    p.advance(1536);
    assertThat(err.toString().strip()).isEqualTo("1.5 KiB  1.5 KiB/s");
  }

  @Test
  void redrawsAtMostEvery200msAndClearsAtTheEnd() {
    DownloadProgress p = progress(1000);
    p.advance(1); // first update draws
    p.advance(1); // at once: not redrawn
    now.addAndGet(199_000_000L);
    p.advance(1);
    assertThat(err.toString().chars().filter(c -> c == '\r').count()).isEqualTo(1);
    now.addAndGet(1_000_000L);
    p.advance(1);
    assertThat(err.toString().chars().filter(c -> c == '\r').count()).isEqualTo(2);
    assertThat(err.toString()).contains("4 B / 1000 B [");
    p.finish();
    assertThat(err.toString()).endsWith("\r" + " ".repeat(79) + "\r");
    int length = err.toString().length();
    p.finish();
    assertThat(err.toString()).as("cleared once").hasSize(length);
  }

  @Test
  void nothingIsDrawnWithoutBytesAndFinishThenWritesNothing() {
    progress(10).finish();
    assertThat(err.toString()).isEmpty();
  }
}
