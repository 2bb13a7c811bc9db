package io.github.switchboard.gateway.config;

import io.github.switchboard.launcher.settings.Settings;

import java.util.List;

/**
 * JWT settings of a gateway: the {@code auth} object of its config, each key with its
 * {@code SWITCHBOARD_AUTH_*} variable. Authentication is on as soon as a key is configured.
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

  /** Reads the {@code auth} section of the given settings. */
  static AuthOptions from(Settings gateway) {
    Settings s = gateway.section("auth");
    return new AuthOptions(
      s.string("hs256Secret", null),
      s.string("publicKeyFile", null),
      s.oneOf("publicKeyAlgorithm", DEFAULT_PUBLIC_KEY_ALGORITHM, List.of("RS256", "ES256")),
      s.string("jwksFile", null),
      s.string("issuer", null),
      s.string("audience", null),
      s.bool("anonymous", DEFAULT_ANONYMOUS),
      s.string("permissionsClaim", DEFAULT_PERMISSIONS_CLAIM));
  }

  /** True when tokens can be verified: some key is configured. */
  public boolean enabled() {
    return hs256Secret != null || publicKeyFile != null || jwksFile != null;
  }

  /** Never prints the secret. */
  @Override
  public String toString() {
    return "AuthOptions[enabled=" + enabled() + ", issuer=" + issuer + ", audience=" + audience + ", anonymous=" + anonymous + "]";
  }
}
