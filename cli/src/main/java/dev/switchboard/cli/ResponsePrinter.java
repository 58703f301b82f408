package dev.switchboard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.Headers;
import dev.switchboard.Response;
import dev.switchboard.StreamingResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Prints a response: a status line with the time, the headers, then the body. */
final class ResponsePrinter {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ResponsePrinter() {}

  static void print(PrintWriter out, Response response, long nanos) {
    out.println(
        statusLine(response) + "  (" + Times.format(nanos) + " via " + response.transport() + ")");
    for (Headers.Field h : response.headers().fields()) {
      out.println(h.name() + ": " + h.value());
    }
    byte[] body = response.bytes();
    if (body.length > 0) {
      out.println();
      out.println(body(response, body));
    }
  }

  static String statusLine(Response response) {
    String reason = response.reasonPhrase();
    return response.status() + (reason.isEmpty() ? "" : " " + reason);
  }

  /** The status line of a streamed response. */
  static String statusLine(StreamingResponse r) {
    return statusLine(Response.builder(r.request(), r.status()).transport(r.transport()).build());
  }

  private static String body(Response response, byte[] body) {
    String type = response.header("Content-Type");
    String lower = type == null ? "" : type.toLowerCase(Locale.ROOT);
    if (lower.contains("json") || (type == null && looksLikeJson(body))) {
      try {
        JsonNode tree = JSON.readTree(body);
        if (tree != null) {
          return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(tree);
        }
      } catch (IOException e) {
        // not JSON after all: shown as text below
      }
    }
    if (isText(lower) || (type == null && isUtf8Text(body))) {
      String text = response.text();
      return text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
    }
    return "<" + body.length + " bytes" + (type == null ? "" : " of " + type) + ">";
  }

  private static boolean looksLikeJson(byte[] body) {
    for (byte b : body) {
      if (!Character.isWhitespace(b)) {
        return b == '{' || b == '[';
      }
    }
    return false;
  }

  private static boolean isText(String type) {
    return type.startsWith("text/")
        || type.contains("json")
        || type.contains("xml")
        || type.contains("javascript")
        || type.contains("x-www-form-urlencoded")
        || type.contains("charset=");
  }

  private static boolean isUtf8Text(byte[] body) {
    try {
      String s =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(body))
              .toString();
      return s.chars().noneMatch(c -> c < 0x20 && c != '\n' && c != '\r' && c != '\t');
    } catch (CharacterCodingException e) {
      return false;
    }
  }
}
