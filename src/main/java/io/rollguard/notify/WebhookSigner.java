package io.rollguard.notify;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs webhook bodies the Standard Webhooks way, so that receivers can verify them with that
 * spec's libraries: {@code webhook-signature: v1,<base64 HMAC-SHA256(key, id + "." + timestamp +
 * "." + body)>}. A secret {@code whsec_<base64>} is base64-decoded into the key (as the libraries
 * do); any other secret is used raw, as its UTF-8 bytes. Immutable and thread-safe; the key never
 * appears in {@code toString}.
 */
public final class WebhookSigner {

  private static final String PREFIX = "whsec_";

  private final byte[] key;

  private WebhookSigner(byte[] key) {
    this.key = key;
  }

  /**
   * A signer for {@code secret}.
   *
   * @throws IllegalArgumentException when the secret is empty or a {@code whsec_} secret is not
   *     base64
   */
  public static WebhookSigner fromSecret(String secret) {
    if (secret == null || secret.isEmpty()) {
      throw new IllegalArgumentException("a webhook secret must not be empty");
    }
    if (secret.startsWith(PREFIX)) {
      try {
        return new WebhookSigner(Base64.getDecoder().decode(secret.substring(PREFIX.length())));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("a whsec_ secret must be base64 after the prefix", e);
      }
    }
    return new WebhookSigner(secret.getBytes(StandardCharsets.UTF_8));
  }

  /** The {@code webhook-signature} value for a message. */
  public String sign(String messageId, long timestampSeconds, byte[] body) {
    return "v1," + Base64.getEncoder().encodeToString(mac(messageId, timestampSeconds, body));
  }

  /**
   * Whether {@code signatureHeader} (one or more space-separated {@code v1,...} signatures, as
   * during a secret rotation) holds a valid signature of the message. Compared in constant time.
   */
  public boolean verify(
      String messageId, long timestampSeconds, byte[] body, String signatureHeader) {
    if (signatureHeader == null) {
      return false;
    }
    byte[] expected = mac(messageId, timestampSeconds, body);
    boolean valid = false;
    for (String candidate : signatureHeader.trim().split(" +")) {
      if (candidate.startsWith("v1,")) {
        byte[] given;
        try {
          given = Base64.getDecoder().decode(candidate.substring(3));
        } catch (IllegalArgumentException e) {
          continue;
        }
        valid |= MessageDigest.isEqual(expected, given);
      }
    }
    return valid;
  }

  private byte[] mac(String messageId, long timestampSeconds, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      mac.update((messageId + "." + timestampSeconds + ".").getBytes(StandardCharsets.UTF_8));
      return mac.doFinal(body);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  @Override
  public String toString() {
    return "WebhookSigner[key=***]";
  }
}
