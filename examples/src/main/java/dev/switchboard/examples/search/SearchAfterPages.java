package dev.switchboard.examples.search;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.DecodeException;
import dev.switchboard.Request;
import dev.switchboard.Response;
import dev.switchboard.StreamingResponse;
import dev.switchboard.Transport;
import dev.switchboard.TransportException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.Function;

/**
 * The pages of a search read with {@code search_after}: each page is one request, sorted on a field
 * whose values are unique, asking for the hits after the last one of the page before. Each answer
 * is read as it streams ({@link Transport#openStream}) with Jackson's streaming parser: a page is
 * never held as bytes or as a tree, only as the hits it gives. Not thread-safe; blocking.
 */
final class SearchAfterPages implements Iterator<SearchResult> {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Transport transport;
  private final Function<Map<String, Object>, Request> requestFor;
  private final Map<String, ?> query;
  private final int size;
  private final String sortField;
  private List<Object> after;
  private SearchResult next;
  private boolean done;

  SearchAfterPages(
      Transport transport,
      Function<Map<String, Object>, Request> requestFor,
      Map<String, ?> query,
      int size,
      String sortField) {
    this.transport = transport;
    this.requestFor = requestFor;
    this.query = query;
    this.size = size;
    this.sortField = sortField;
  }

  @Override
  public boolean hasNext() {
    if (next == null && !done) {
      next = fetch();
      if (next.hits().isEmpty()) {
        next = null;
        done = true;
      }
    }
    return next != null;
  }

  @Override
  public SearchResult next() {
    if (!hasNext()) {
      throw new NoSuchElementException("the search has no page after the last");
    }
    SearchResult page = next;
    next = null;
    return page;
  }

  private SearchResult fetch() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("query", query);
    body.put("size", size);
    body.put("sort", List.of(Map.of(sortField, "asc")));
    body.put("track_total_hits", false);
    if (after != null) {
      body.put("search_after", after);
    }
    Request request = requestFor.apply(body);
    try (StreamingResponse r = transport.openStream(request)) {
      Page page;
      try (InputStream in = r.body();
          JsonParser p = JSON.createParser(in)) {
        page = read(p);
      } catch (IOException e) {
        if (e.getCause() instanceof TransportException te) {
          throw te; // the exchange failed while the page streamed in
        }
        throw new DecodeException(
            "not the answer expected from " + request.summary() + ": " + e.getMessage(),
            head(r),
            e);
      }
      if (page.hits.size() < size) {
        done = true; // a short page is the last one
      }
      if (!page.hits.isEmpty()) {
        if (page.lastSort == null || page.lastSort.isEmpty()) {
          throw new DecodeException(
              "the hits of " + request.summary() + " carry no sort values to continue after",
              head(r),
              null);
        }
        after = page.lastSort;
      }
      return new SearchResult(page.took, 0, page.hits);
    }
  }

  private static Response head(StreamingResponse r) {
    return Response.builder(r.request(), r.status())
        .headers(r.headers())
        .transport(r.transport())
        .build();
  }

  /** One page as read: its hits and the sort values of its last hit. */
  private static final class Page {
    long took;
    final List<SearchResult.Hit> hits = new ArrayList<>();
    List<Object> lastSort;
  }

  private static Page read(JsonParser p) throws IOException {
    Page page = new Page();
    expect(p, p.nextToken(), JsonToken.START_OBJECT);
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken value = p.nextToken();
      if ("took".equals(name) && value.isNumeric()) {
        page.took = p.getLongValue();
      } else if ("hits".equals(name) && value == JsonToken.START_OBJECT) {
        readHits(p, page);
      } else {
        p.skipChildren();
      }
    }
    expect(p, p.currentToken(), JsonToken.END_OBJECT);
    return page;
  }

  /** Inside the outer {@code hits} object: its {@code hits} array, one hit at a time. */
  private static void readHits(JsonParser p, Page page) throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken value = p.nextToken();
      if ("hits".equals(name) && value == JsonToken.START_ARRAY) {
        while (p.nextToken() == JsonToken.START_OBJECT) {
          readHit(p, page);
        }
        expect(p, p.currentToken(), JsonToken.END_ARRAY);
      } else {
        p.skipChildren();
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static void readHit(JsonParser p, Page page) throws IOException {
    String id = null;
    double score = Double.NaN;
    Map<String, Object> source = Map.of();
    List<Object> sort = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken value = p.nextToken();
      switch (name) {
        case "_id" -> id = p.getText();
        case "_score" -> score = value.isNumeric() ? p.getDoubleValue() : Double.NaN;
        case "_source" -> source = JSON.readValue(p, Map.class);
        case "sort" -> sort = JSON.readValue(p, List.class);
        default -> p.skipChildren();
      }
    }
    if (id == null) {
      throw new IOException("a hit without an _id");
    }
    page.hits.add(new SearchResult.Hit(id, score, source));
    page.lastSort = sort;
  }

  private static void expect(JsonParser p, JsonToken actual, JsonToken expected)
      throws IOException {
    if (actual != expected) {
      throw new IOException(
          "expected " + expected + " but found " + actual + " at " + p.currentLocation());
    }
  }
}
