package dev.switchboard;

/** The first characters of a body, for messages. */
final class Snippets {
  static final int MAX = 200;

  private Snippets() {}

  static String of(Response response) {
    String text = response.text();
    String oneLine = text.replace('\r', ' ').replace('\n', ' ').strip();
    return oneLine.length() <= MAX ? oneLine : oneLine.substring(0, MAX) + "…";
  }
}
