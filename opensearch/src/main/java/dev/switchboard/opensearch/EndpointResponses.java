package dev.switchboard.opensearch;

import dev.switchboard.DecodeException;
import dev.switchboard.Headers;
import dev.switchboard.Response;
import jakarta.json.JsonException;
import jakarta.json.stream.JsonParser;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.AbstractMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.opensearch.client.json.JsonpDeserializer;
import org.opensearch.client.json.JsonpMapper;
import org.opensearch.client.opensearch._types.ErrorCause;
import org.opensearch.client.opensearch._types.ErrorResponse;
import org.opensearch.client.opensearch._types.OpenSearchException;
import org.opensearch.client.transport.Endpoint;
import org.opensearch.client.transport.GenericEndpoint;
import org.opensearch.client.transport.JsonEndpoint;
import org.opensearch.client.transport.TransportException;
import org.opensearch.client.transport.endpoints.BooleanEndpoint;
import org.opensearch.client.transport.endpoints.BooleanResponse;
import org.opensearch.client.util.MissingRequiredPropertyException;

/**
 * A Switchboard {@link Response} (any status: a 4xx or 5xx arrives here from the {@link
 * dev.switchboard.HttpStatusException} that carried it) as the endpoint's response, or the
 * exception the client's users catch:
 *
 * <ul>
 *   <li>a status the endpoint calls an error is read with its error deserializer and thrown as
 *       {@link OpenSearchException} (the server's error type, reason and status), for every error
 *       status alike; a body that is not the server's error shape is first tried as the endpoint's
 *       response (a missing document's {@code 404} is a {@code found: false} answer), and when it
 *       is neither, an {@code OpenSearchException} of type {@code http_exception} whose cause is
 *       Switchboard's exception; an error with no body or no deserializer is a {@link
 *       TransportException} ({@code Request failed with status code 'N'});
 *   <li>otherwise the response is decoded: a {@link BooleanEndpoint}'s status, a {@link
 *       JsonEndpoint}'s body through its deserializer, a {@link GenericEndpoint}'s raw parts;
 *   <li>a body that cannot be read as what the endpoint expects is a {@link TransportException}
 *       caused by a Switchboard {@link DecodeException}.
 * </ul>
 *
 * Warnings ({@code Warning} headers) of an answer go to the options' {@code onWarnings}; when it
 * returns {@code true} the call fails with a {@link TransportException} listing them.
 */
final class EndpointResponses {
  private final JsonpMapper mapper;

  EndpointResponses(JsonpMapper mapper) {
    this.mapper = mapper;
  }

  <ResponseT, ErrorT> ResponseT decode(
      Response response,
      Endpoint<?, ResponseT, ErrorT> endpoint,
      Function<List<String>, Boolean> onWarnings,
      Throwable statusFailure)
      throws TransportException {
    if (endpoint.isError(response.status())) {
      return errorOrAnswer(response, endpoint, statusFailure);
    }
    checkWarnings(response, onWarnings);
    return success(response, endpoint);
  }

  /** Throws the error the response carries, or returns the answer it turns out to be. */
  @SuppressWarnings("unchecked") // a GenericEndpoint's error type is its response type
  private <ResponseT, ErrorT> ResponseT errorOrAnswer(
      Response response, Endpoint<?, ResponseT, ErrorT> endpoint, Throwable statusFailure)
      throws TransportException {
    int status = response.status();
    if (endpoint instanceof GenericEndpoint<?, ?>) {
      GenericEndpoint<?, ResponseT> generic = (GenericEndpoint<?, ResponseT>) endpoint;
      throw generic.exceptionConverter(status, generic(response, generic));
    }
    JsonpDeserializer<ErrorT> errorDeserializer = endpoint.errorDeserializer(status);
    if (errorDeserializer == null || response.length() == 0) {
      throw new TransportException(
          "Request failed with status code '" + status + "'", statusFailure);
    }
    ErrorT error;
    try (JsonParser parser = parser(response)) {
      error = errorDeserializer.deserialize(parser, mapper);
    } catch (MissingRequiredPropertyException notTheErrorShape) {
      try {
        return success(response, endpoint); // a 404 get is the answer found: false
      } catch (TransportException | RuntimeException notAnAnswer) {
        throw httpException(status, statusFailure);
      }
    } catch (JsonException | IllegalStateException | IllegalArgumentException unreadable) {
      throw httpException(status, statusFailure);
    }
    throw endpoint.exceptionConverter(status, error);
  }

  private static OpenSearchException httpException(int status, Throwable statusFailure) {
    ErrorCause cause =
        ErrorCause.of(c -> c.type("http_exception").reason("server returned " + status));
    OpenSearchException e =
        new OpenSearchException(ErrorResponse.of(r -> r.status(status).error(cause)));
    if (statusFailure != null) {
      e.initCause(statusFailure);
    }
    return e;
  }

  @SuppressWarnings("unchecked")
  private <ResponseT> ResponseT success(Response response, Endpoint<?, ResponseT, ?> endpoint)
      throws TransportException {
    if (endpoint instanceof BooleanEndpoint<?> bool) {
      return (ResponseT) new BooleanResponse(bool.getResult(response.status()));
    }
    if (endpoint instanceof JsonEndpoint<?, ResponseT, ?> json) {
      JsonpDeserializer<ResponseT> deserializer = json.responseDeserializer();
      if (deserializer == null) {
        return null;
      }
      if (response.length() == 0) {
        throw new TransportException(
            "Expecting a response body, but none was sent",
            new DecodeException("the response has no body", response, null));
      }
      try (JsonParser parser = parser(response)) {
        return deserializer.deserialize(parser, mapper);
      } catch (JsonException | IllegalStateException | IllegalArgumentException e) {
        throw unreadable(response, e);
      }
    }
    if (endpoint instanceof GenericEndpoint<?, ?>) {
      return generic(response, (GenericEndpoint<?, ResponseT>) endpoint);
    }
    throw new TransportException(
        "Unhandled endpoint type: '" + endpoint.getClass().getName() + "'");
  }

  private static <ResponseT> ResponseT generic(
      Response response, GenericEndpoint<?, ResponseT> endpoint) {
    InputStream body = response.length() == 0 ? null : new ByteArrayInputStream(response.bytes());
    return endpoint.responseDeserializer(
        response.request().uri().toString(),
        response.request().method(),
        "HTTP/1.1",
        response.status(),
        response.reasonPhrase(),
        entries(response.headers()),
        body == null ? null : response.header("Content-Type"),
        body);
  }

  private static List<Map.Entry<String, String>> entries(Headers headers) {
    return headers.fields().stream()
        .<Map.Entry<String, String>>map(
            f -> new AbstractMap.SimpleImmutableEntry<>(f.name(), f.value()))
        .toList();
  }

  private JsonParser parser(Response response) {
    return mapper.jsonProvider().createParser(new ByteArrayInputStream(response.bytes()));
  }

  private static TransportException unreadable(Response response, RuntimeException e) {
    String message =
        "the response to "
            + response.request().method()
            + " "
            + response.request().uri().getRawPath()
            + " (HTTP "
            + response.status()
            + ") could not be read as the endpoint's answer: "
            + e.getMessage();
    return new TransportException(message, new DecodeException(message, response, e));
  }

  private static void checkWarnings(Response response, Function<List<String>, Boolean> onWarnings)
      throws TransportException {
    List<String> warnings = response.headers().all("Warning");
    if (onWarnings != null
        && !warnings.isEmpty()
        && Boolean.TRUE.equals(onWarnings.apply(warnings))) {
      throw new TransportException(
          "the server's warnings failed the request (onWarnings returned true): " + warnings);
    }
  }
}
