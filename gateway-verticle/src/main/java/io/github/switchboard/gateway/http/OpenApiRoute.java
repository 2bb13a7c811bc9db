package io.github.switchboard.gateway.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * {@code GET /api/openapi.json}: the OpenAPI 3 description of the HTTP API (the server API for
 * backends and the public reads), from the classpath file {@value #RESOURCE}. No key needed: it
 * says what exists, not what is in it. OpenApiTest calls every operation it lists and checks the
 * answers against it.
 */
public final class OpenApiRoute {

  static final String PATH = "/api/openapi.json";
  static final String RESOURCE = "openapi.json";

  private OpenApiRoute() {
  }

  public static void mount(Router router) {
    Buffer document = read();
    JsonResponses.read(router, PATH).handler(ctx -> ctx.response()
      .putHeader("content-type", "application/json; charset=utf-8")
      .end(document));
    JsonResponses.onlyAllow(router, PATH, HttpMethod.GET, HttpMethod.HEAD);
  }

  /** Read once at start-up: a gateway without its description is a broken build. */
  private static Buffer read() {
    try (InputStream in = OpenApiRoute.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the classpath");
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
