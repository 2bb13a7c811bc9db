package io.github.switchboard.gateway.auth;

import io.vertx.core.json.JsonObject;

import java.util.Map;

/**
 * JWT settings of a gateway: the {@code auth} object of its config, with environment variables
 * taking precedence. Authentication is on as soon as a key is configured.
 *
 * <pre>
 * "auth": {
 *   "hs256Secret": "...",                 SWITCHBOARD_AUTH_HS256_SECRET
 *   "publicKeyFile": "/keys/jwt.pem",      SWITCHBOARD_AUTH_PUBLIC_KEY_FILE   (PEM public key)
 *   "publicKeyAlgorithm": "RS256",         SWITCHBOARD_AUTH_PUBLIC_KEY_ALGORITHM (RS256 or ES256)
 *   "jwksFile": "/keys/jwks.json",         SWITCHBOARD_AUTH_JWKS_FILE
 *   "issuer": "https://id.example.com",    SWITCHBOARD_AUTH_ISSUER
 *   "audience": "switchboard",             SWITCHBOARD_AUTH_AUDIENCE
 *   "anonymous": true,                     SWITCHBOARD_AUTH_ANONYMOUS (connections without a token)
 *   "permissionsClaim": "groups"           SWITCHBOARD_AUTH_PERMISSIONS_CLAIM
 * }
 * </pre>
 */
public record AuthOptions(String hs256Secret, String publicKeyFile, String publicKeyAlgorithm, String jwksFile,
                          String issuer, String audience, boolean anonymous, String permissionsClaim) {

  public static final boolean DEFAULT_ANONYMOUS = true;
  public static final String DEFAULT_PERMISSIONS_CLAIM = "groups";
  public static final String DEFAULT_PUBLIC_KEY_ALGORITHM = "RS256";

  public static AuthOptions from(JsonObject config, Map<String, String> env) {
    JsonObject c = config == null ? new JsonObject() : config;
    String algorithm = value(c, env, "publicKeyAlgorithm", "SWITCHBOARD_AUTH_PUBLIC_KEY_ALGORITHM", DEFAULT_PUBLIC_KEY_ALGORITHM);
    if (!algorithm.equals("RS256") && !algorithm.equals("ES256")) {
      throw new IllegalArgumentException("auth 'publicKeyAlgorithm' must be RS256 or ES256, got '" + algorithm + "'");
    }
    String anonymous = value(c, env, "anonymous", "SWITCHBOARD_AUTH_ANONYMOUS", String.valueOf(DEFAULT_ANONYMOUS));
    if (!anonymous.equals("true") && !anonymous.equals("false")) {
      throw new IllegalArgumentException("auth 'anonymous' must be true or false, got '" + anonymous + "'");
    }
    return new AuthOptions(
      value(c, env, "hs256Secret", "SWITCHBOARD_AUTH_HS256_SECRET", null),
      value(c, env, "publicKeyFile", "SWITCHBOARD_AUTH_PUBLIC_KEY_FILE", null),
      algorithm,
      value(c, env, "jwksFile", "SWITCHBOARD_AUTH_JWKS_FILE", null),
      value(c, env, "issuer", "SWITCHBOARD_AUTH_ISSUER", null),
      value(c, env, "audience", "SWITCHBOARD_AUTH_AUDIENCE", null),
      Boolean.parseBoolean(anonymous),
      value(c, env, "permissionsClaim", "SWITCHBOARD_AUTH_PERMISSIONS_CLAIM", DEFAULT_PERMISSIONS_CLAIM));
  }

  /** True when tokens can be verified: some key is configured. */
  public boolean enabled() {
    return hs256Secret != null || publicKeyFile != null || jwksFile != null;
  }

  private static String value(JsonObject c, Map<String, String> env, String key, String envName, String def) {
    String fromEnv = env.get(envName);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return fromEnv.strip();
    }
    Object raw = c.getValue(key);
    return raw == null || raw.toString().isBlank() ? def : raw.toString();
  }

  /** Never prints the secret. */
  @Override
  public String toString() {
    return "AuthOptions[enabled=" + enabled() + ", issuer=" + issuer + ", audience=" + audience + ", anonymous=" + anonymous + "]";
  }
}
