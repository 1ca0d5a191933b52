package dev.cadre.lxd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Base64;

/** LXD trust tokens are base64 JSON carrying a secret; a plain trust password is used as it is. */
final class LxdTokens {
  private LxdTokens() {}

  static String secretOf(String passwordOrToken) {
    if (passwordOrToken == null) {
      throw new dev.cadre.driver.InvalidInputException(null, "a trust password or token is required");
    }
    try {
      byte[] raw = Base64.getDecoder().decode(passwordOrToken.strip());
      JsonNode token = new ObjectMapper().readTree(raw);
      if (token != null && token.hasNonNull("secret")) {
        return token.get("secret").asText();
      }
    } catch (Exception notAToken) {
      // a trust password
    }
    return passwordOrToken;
  }
}
