package io.rollguard.ingest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Checks ingest bearer tokens. With no token configured, ingest is open. Tokens are compared in
 * constant time; they never appear in messages. Immutable and thread-safe.
 */
public final class IngestAuth {

  /** A configured token and the services it may write (empty: all). */
  public record Token(String token, Set<String> services) {
    @Override
    public String toString() {
      return "Token[***, services=" + services + "]";
    }
  }

  private final List<Token> tokens;

  public IngestAuth(List<Token> tokens) {
    this.tokens = List.copyOf(tokens);
  }

  public boolean required() {
    return !tokens.isEmpty();
  }

  /**
   * Which services the bearer of {@code authorizationHeader} may write; null when the token is
   * missing or unknown and tokens are required.
   */
  public Predicate<String> servicesFor(String authorizationHeader) {
    if (tokens.isEmpty()) {
      return service -> true;
    }
    if (authorizationHeader == null
        || !authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    byte[] presented = authorizationHeader.substring(7).trim().getBytes(StandardCharsets.UTF_8);
    Token match = null;
    for (Token t : tokens) {
      if (MessageDigest.isEqual(presented, t.token().getBytes(StandardCharsets.UTF_8))) {
        match = t;
      }
    }
    if (match == null) {
      return null;
    }
    Set<String> services = match.services();
    return services.isEmpty() ? service -> true : services::contains;
  }
}
