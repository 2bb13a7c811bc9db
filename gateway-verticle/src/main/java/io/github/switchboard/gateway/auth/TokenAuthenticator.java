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
import io.vertx.ext.auth.User;
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

  /** Whether the upgrade carries a token this gateway verifies (auth on and a token present). */
  public boolean verifiesToken(HttpServerRequest request) {
    return jwt != null && token(request) != null;
  }

  /** Whether a connection with no user may open. */
  public boolean anonymousAllowed() {
    return jwt == null || options.anonymous();
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
    Future<User> verified;
    try {
      verified = jwt.authenticate(new TokenCredentials(token));
    } catch (RuntimeException e) {
      // Vert.x's JWT code throws on some malformed claims (an exp that is a word) instead of
      // failing the future: that is a bad token, not a server error.
      verified = Future.failedFuture(e);
    }
    return verified
      .recover(e -> Future.failedFuture(new AuthException("invalid token: " + reason(e))))
      .compose(user -> {
        JsonObject claims = user.attributes().getJsonObject("accessToken", user.principal());
        Object subject = claims.getValue("sub");
        if (!(subject instanceof String sub) || sub.isBlank()) {
          return Future.failedFuture(new AuthException("invalid token: no 'sub' claim"));
        }
        long expiresAt;
        try {
          expiresAt = expiresAt(claims.getValue("exp"));
        } catch (IllegalArgumentException e) {
          return Future.failedFuture(new AuthException("invalid token: " + e.getMessage()));
        }
        return Future.succeededFuture(new Principal(sub, groups(claims.getValue(options.permissionsClaim())), expiresAt));
      });
  }

  /**
   * {@code exp} (seconds, RFC 7519 NumericDate) as epoch milliseconds: {@link Long#MAX_VALUE}
   * when absent or too far away to count in milliseconds (such a token does not expire in
   * practice; multiplying would overflow into the past).
   */
  static long expiresAt(Object exp) {
    if (exp == null) {
      return Long.MAX_VALUE;
    }
    if (!(exp instanceof Number number) || number.doubleValue() != Math.rint(number.doubleValue())) {
      throw new IllegalArgumentException("'exp' must be a whole number of seconds");
    }
    long seconds = number.longValue();
    return seconds > Long.MAX_VALUE / 1000 ? Long.MAX_VALUE : seconds * 1000;
  }

  /** A message that says what is wrong without echoing a stack trace or the token. */
  private static String reason(Throwable e) {
    if (e instanceof ClassCastException) {
      return "a claim has the wrong type";
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
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
