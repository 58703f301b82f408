package dev.switchboard.examples.search;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteBufferFeeder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

/**
 * Counts the answer of {@code _bulk} as its buffers arrive, with Jackson's non-blocking parser: no
 * thread waits and the answer (a line per document) is never held whole. Asks for one buffer at a
 * time, so the transport reads no further ahead than its window.
 *
 * <p>The answer: {@code {"took":N,"errors":b,"items":[{"index":{"_id":..,"status":..,"error":{
 * "type":..,"reason":..}}},...]}}. Depths once inside the root object: 1 its fields, 2 the items
 * array, 3 an item, 4 its action's result, 5 the result's error.
 */
final class BulkResponseReader implements Flow.Subscriber<ByteBuffer> {
  private static final JsonFactory FACTORY = new JsonFactory();

  final CompletableFuture<BulkResult> result = new CompletableFuture<>();
  private final JsonParser parser;
  private final ByteBufferFeeder feeder;
  private Flow.Subscription subscription;

  private int depth;
  private boolean sawRoot;
  private boolean inItems;
  private long took;
  private long items;
  private long errors;
  private final List<BulkResult.ItemError> firstErrors = new ArrayList<>();
  private String id;
  private int status;
  private boolean failed;
  private String errorType;
  private String errorReason;

  BulkResponseReader() {
    try {
      parser = FACTORY.createNonBlockingByteBufferParser();
    } catch (IOException e) {
      throw new IllegalStateException("Jackson cannot make a non-blocking parser", e);
    }
    feeder = (ByteBufferFeeder) parser.getNonBlockingInputFeeder();
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    s.request(1);
  }

  @Override
  public void onNext(ByteBuffer buffer) {
    if (result.isDone()) {
      return;
    }
    try {
      feeder.feedInput(buffer);
      drain();
    } catch (IOException | RuntimeException e) {
      subscription.cancel();
      result.completeExceptionally(e);
      return;
    }
    subscription.request(1);
  }

  @Override
  public void onError(Throwable t) {
    result.completeExceptionally(t);
  }

  @Override
  public void onComplete() {
    if (result.isDone()) {
      return;
    }
    try {
      feeder.endOfInput();
      drain();
      if (!sawRoot || depth != 0) {
        throw new IOException("the answer of _bulk ended before its JSON did");
      }
      result.complete(new BulkResult(took, items, errors, firstErrors));
    } catch (IOException | RuntimeException e) {
      result.completeExceptionally(e);
    }
  }

  private void drain() throws IOException {
    JsonToken t;
    while ((t = parser.nextToken()) != null && t != JsonToken.NOT_AVAILABLE) {
      token(t);
    }
  }

  private void token(JsonToken t) throws IOException {
    switch (t) {
      case START_OBJECT, START_ARRAY -> {
        depth++;
        sawRoot = true;
        String name = parser.currentName();
        if (depth == 2 && t == JsonToken.START_ARRAY && "items".equals(name)) {
          inItems = true;
        } else if (inItems && depth == 3) {
          id = null;
          status = 0;
          failed = false;
          errorType = null;
          errorReason = null;
        } else if (inItems && depth == 5 && "error".equals(name)) {
          failed = true;
        }
      }
      case END_OBJECT, END_ARRAY -> {
        depth--;
        if (inItems && depth == 2) {
          item();
        } else if (inItems && depth == 1) {
          inItems = false;
        }
      }
      case FIELD_NAME -> {}
      default -> value();
    }
  }

  private void value() throws IOException {
    String name = parser.currentName();
    if (depth == 1 && "took".equals(name)) {
      took = parser.getLongValue();
    } else if (inItems && depth == 4 && "_id".equals(name)) {
      id = parser.getText();
    } else if (inItems && depth == 4 && "status".equals(name)) {
      status = parser.getIntValue();
    } else if (inItems && depth == 4 && "error".equals(name)) {
      failed = true; // an error given as a plain string
      errorReason = parser.getText();
    } else if (inItems && depth == 5 && "type".equals(name)) {
      errorType = parser.getText();
    } else if (inItems && depth == 5 && "reason".equals(name)) {
      errorReason = parser.getText();
    }
  }

  private void item() {
    if (failed || status >= 300) {
      if (firstErrors.size() < BulkResult.KEPT_ERRORS) {
        firstErrors.add(new BulkResult.ItemError(items, id, status, errorType, errorReason));
      }
      errors++;
    }
    items++;
  }
}
