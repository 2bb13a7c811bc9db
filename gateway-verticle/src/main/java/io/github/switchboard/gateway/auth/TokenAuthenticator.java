package io.github.switchboard.gateway.auth;

import io.github.switchboard.gateway.config.AuthOptions;
import io.github.switchboard.gateway.config.GroupRule;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Verifies the JWT of a WebSocket upgrade ({@code ?token=} or {@code Authorization: Bearer}):
 * signature (HS256 secret, RS256/ES256 PEM public key, or a JWKS file), {@code exp},
 * {@code nbf}, and {@code iss}/{@code aud} when configured; the token must have a {@code sub}.
 *
 * <p>The permissions claim ({@code groups} by default) lists group patterns: either a plain array
 * (subscribe and publish) or {@code {"subscribe":[...],"publish":[...]}}.
 */
public final class TokenAuthenticator {

  private final AuthOptions options;
  private final JWTAuth jwt;

  public TokenAuthenticator(Vertx vertx, AuthOptions options) {
    this.options = options;
    this.jwt = options.enabled() ? JWTAuth.create(vertx, jwtOptions(options)) : null;
  }

  public boolean enabled() {
    return jwt != null;
  }

  /**
   * The connection's principal; null for an anonymous connection that is allowed. Fails with a
   * {@link AuthException} whose message may be shown to the client.
   */
  public Future<Principal> authenticate(HttpServerRequest request) {
    String token = token(request);
    if (token == null) {
      if (jwt == null || options.anonymous()) {
        return Future.succeededFuture(null);
      }
      return Future.failedFuture(new AuthException("a token is required (?token= or Authorization: Bearer)"));
    }
    if (jwt == null) {
      // Auth is off: a token means nothing here, and refusing it would break clients that
      // always send one.
      return Future.succeededFuture(null);
    }
    return jwt.authenticate(new TokenCredentials(token))
      .recover(e -> Future.failedFuture(new AuthException("invalid token: " + e.getMessage())))
      .compose(user -> {
        JsonObject claims = user.attributes().getJsonObject("accessToken", user.principal());
        String subject = claims.getString("sub");
        if (subject == null || subject.isBlank()) {
          return Future.failedFuture(new AuthException("invalid token: no 'sub' claim"));
        }
        Long exp = claims.getLong("exp");
        return Future.succeededFuture(new Principal(subject, groups(claims.getValue(options.permissionsClaim())),
          exp == null ? Long.MAX_VALUE : exp * 1000));
      });
  }

  private static String token(HttpServerRequest request) {
    String header = request.getHeader("Authorization");
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return header.substring(7).strip();
    }
    String query = request.getParam("token");
    return query == null || query.isBlank() ? null : query;
  }

  private static List<GroupRule> groups(Object claim) {
    List<GroupRule> rules = new ArrayList<>();
    if (claim instanceof JsonArray both) {
      both.forEach(p -> addRule(rules, p, true, true));
    } else if (claim instanceof JsonObject split) {
      split.getJsonArray("subscribe", new JsonArray()).forEach(p -> addRule(rules, p, true, false));
      split.getJsonArray("publish", new JsonArray()).forEach(p -> addRule(rules, p, false, true));
    }
    return List.copyOf(rules);
  }

  private static void addRule(List<GroupRule> rules, Object pattern, boolean subscribe, boolean publish) {
    if (pattern instanceof String p) {
      try {
        rules.add(new GroupRule(p, subscribe, publish));
      } catch (IllegalArgumentException ignored) {
        // a malformed pattern grants nothing
      }
    }
  }

  private static JWTAuthOptions jwtOptions(AuthOptions options) {
    JWTOptions verify = new JWTOptions();
    if (options.issuer() != null) {
      verify.setIssuer(options.issuer());
    }
    if (options.audience() != null) {
      verify.setAudience(List.of(options.audience()));
    }
    JWTAuthOptions auth = new JWTAuthOptions().setJWTOptions(verify);
    if (options.hs256Secret() != null) {
      auth.addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(options.hs256Secret()));
    }
    if (options.publicKeyFile() != null) {
      auth.addPubSecKey(new PubSecKeyOptions().setAlgorithm(options.publicKeyAlgorithm())
        .setBuffer(read(options.publicKeyFile())));
    }
    if (options.jwksFile() != null) {
      JsonObject jwks = new JsonObject(read(options.jwksFile()));
      jwks.getJsonArray("keys", new JsonArray()).forEach(key -> auth.addJwk((JsonObject) key));
    }
    return auth;
  }

  private static String read(String file) {
    try {
      return Files.readString(Path.of(file));
    } catch (IOException e) {
      throw new IllegalArgumentException("auth key file " + file + " cannot be read: " + e.getMessage(), e);
    }
  }

  /** A refused token; its message is safe to show (it never contains the token). */
  public static final class AuthException extends RuntimeException {
    public AuthException(String message) {
      super(message, null, false, false);
    }
  }
}
