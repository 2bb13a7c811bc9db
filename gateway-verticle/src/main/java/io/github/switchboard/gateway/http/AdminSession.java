package io.github.switchboard.gateway.http;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * The admin page's login, as a cookie value every gateway can check without shared state: the
 * time it expires and an HMAC-SHA256 of that time under the API key
 * ({@code v1.<expiresAtMs>.<mac>}). An operator logs in once with the API key, on any gateway,
 * and the browser then holds proof of it rather than the key itself; changing the key ends every
 * login. Immutable and thread-safe.
 */
public final class AdminSession {

  /** The cookie's name. */
  public static final String COOKIE = "switchboard_admin";
  /**
   * The header the admin page sends with every API call it makes with the cookie. A page of
   * another origin cannot send it without a CORS preflight, which the gateway does not allow for
   * this header, so a cookie alone never authorizes a request another site forged.
   */
  public static final String HEADER = "X-Switchboard-Admin";
  private static final String VERSION = "v1";
  private static final String ALGORITHM = "HmacSHA256";

  private final SecretKeySpec key;
  private final long ttlMs;

  public AdminSession(String apiKey, long ttlMs) {
    // The key's digest, not the key: any key, even an empty one, makes a valid HMAC key.
    try {
      this.key = new SecretKeySpec(MessageDigest.getInstance("SHA-256").digest(apiKey.getBytes(StandardCharsets.UTF_8)),
        ALGORITHM);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    this.ttlMs = ttlMs;
  }

  public long ttlMs() {
    return ttlMs;
  }

  /** A new login, valid for the configured time from {@code nowMs}. */
  public String issue(long nowMs) {
    long expiresAt = nowMs + ttlMs;
    return VERSION + "." + expiresAt + "." + mac(expiresAt);
  }

  /** Whether {@code value} is a login this key issued that has not expired at {@code nowMs}. */
  public boolean valid(String value, long nowMs) {
    if (value == null) {
      return false;
    }
    String[] parts = value.split("\\.", -1);
    if (parts.length != 3 || !VERSION.equals(parts[0])) {
      return false;
    }
    long expiresAt;
    try {
      expiresAt = Long.parseLong(parts[1]);
    } catch (NumberFormatException e) {
      return false;
    }
    // Constant time, so the comparison does not reveal how much of a forged MAC was right.
    boolean genuine = MessageDigest.isEqual(mac(expiresAt).getBytes(StandardCharsets.US_ASCII),
      parts[2].getBytes(StandardCharsets.US_ASCII));
    return genuine && nowMs < expiresAt;
  }

  private String mac(long expiresAt) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      byte[] sum = mac.doFinal(("switchboard-admin." + expiresAt).getBytes(StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(sum);
    } catch (GeneralSecurityException e) {
      // HmacSHA256 is in every JRE.
      throw new IllegalStateException(e);
    }
  }
}
