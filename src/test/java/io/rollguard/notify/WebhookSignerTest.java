package io.rollguard.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WebhookSignerTest {

  // The Standard Webhooks libraries' own test vector.
  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  private static final String ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
  private static final long TIMESTAMP = 1_614_265_330L;
  private static final byte[] BODY = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);
  private static final String EXPECTED = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

  @Test
  void signsLikeTheStandardWebhooksLibraries() {
    assertThat(WebhookSigner.fromSecret(SECRET).sign(ID, TIMESTAMP, BODY)).isEqualTo(EXPECTED);
  }

  @Test
  void verifiesItsOwnSignaturesAndRejectsTamperedOnes() {
    WebhookSigner signer = WebhookSigner.fromSecret(SECRET);
    assertThat(signer.verify(ID, TIMESTAMP, BODY, EXPECTED)).isTrue();
    // During a secret rotation the header carries several signatures; one valid is enough.
    assertThat(
            signer.verify(
                ID, TIMESTAMP, BODY, "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= " + EXPECTED))
        .isTrue();
    assertThat(signer.verify(ID, TIMESTAMP + 1, BODY, EXPECTED)).isFalse();
    assertThat(signer.verify("msg_other", TIMESTAMP, BODY, EXPECTED)).isFalse();
    assertThat(
            signer.verify(
                ID, TIMESTAMP, "{\"test\": 2432232315}".getBytes(StandardCharsets.UTF_8), EXPECTED))
        .isFalse();
    assertThat(signer.verify(ID, TIMESTAMP, BODY, "v2," + EXPECTED.substring(3))).isFalse();
    assertThat(signer.verify(ID, TIMESTAMP, BODY, null)).isFalse();
  }

  @Test
  void aRawSecretIsUsedAsItsBytes() {
    WebhookSigner raw = WebhookSigner.fromSecret("correct horse battery staple");
    String signature = raw.sign(ID, TIMESTAMP, BODY);
    assertThat(signature).startsWith("v1,").isNotEqualTo(EXPECTED);
    assertThat(raw.verify(ID, TIMESTAMP, BODY, signature)).isTrue();
  }

  @Test
  void badSecretsAreRefusedAndKeysStayHidden() {
    assertThatThrownBy(() -> WebhookSigner.fromSecret("")).hasMessageContaining("empty");
    assertThatThrownBy(() -> WebhookSigner.fromSecret("whsec_not base64!"))
        .hasMessageContaining("base64");
    assertThat(WebhookSigner.fromSecret(SECRET).toString()).doesNotContain("MfKQ");
  }
}
