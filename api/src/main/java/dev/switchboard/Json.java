package dev.switchboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.reflect.Type;

/** The one Jackson mapper Switchboard uses; configured once, shared, thread-safe. */
final class Json {
  static final ObjectMapper MAPPER =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private Json() {}

  static byte[] write(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "cannot serialize a "
              + value.getClass().getName()
              + " as JSON: "
              + e.getOriginalMessage(),
          e);
    }
  }

  static <T> T read(byte[] bytes, Type type) throws IOException {
    JavaType javaType = MAPPER.getTypeFactory().constructType(type);
    return MAPPER.readValue(bytes, javaType);
  }
}
