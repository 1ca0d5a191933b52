package dev.cadre.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.cadre.api.http.ApiException;
import dev.cadre.api.http.ErrorMapping;
import dev.cadre.driver.AddressInUseException;
import dev.cadre.driver.ConflictException;
import dev.cadre.driver.HostBusyException;
import dev.cadre.driver.HostFailureException;
import dev.cadre.driver.InvalidInputException;
import dev.cadre.driver.NotFoundException;
import dev.cadre.driver.TimedOutException;
import dev.cadre.driver.UnauthorizedException;
import dev.cadre.driver.UnavailableException;
import dev.cadre.driver.UnreachableException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class ErrorMappingTest {
  static void assertMapped(RuntimeException e, int status, String code) {
    ApiException mapped = ErrorMapping.translate(e);
    assertEquals(status, mapped.status());
    assertEquals(code, mapped.code());
  }

  @Test
  void driverFamilyMapsToOneStatusEach() {
    assertMapped(new InvalidInputException(null, "bad"), 400, "invalid_input");
    assertMapped(new NotFoundException(null, "gone"), 404, "not_found");
    assertMapped(new ConflictException(null, "taken"), 409, "conflict");
    assertMapped(new ConflictException(null, "not supported yet: move"), 409, "not_supported");
    assertMapped(new UnauthorizedException("h1", "untrusted"), 403, "forbidden");
    assertMapped(new UnavailableException("h1", "down"), 503, "unavailable");
    assertMapped(new HostFailureException("h1", "failed"), 503, "host_failure");
  }

  @Test
  void typedFaultsKeepTheStatusAndCodeOfTheirFamily() {
    assertMapped(new AddressInUseException("h1", "10.77.0.5", "address in use"), 409, "conflict");
    assertMapped(new HostBusyException("h1", "busy"), 503, "unavailable");
    assertMapped(new TimedOutException("h1", "no answer in time"), 503, "unavailable");
    assertMapped(new UnreachableException("h1", "refused"), 503, "unavailable");
    assertEquals("h1", ErrorMapping.translate(new TimedOutException("h1", "slow")).details().get("host"));
  }

  @Test
  void javalinsOwnRefusalsKeepTheirStatus() {
    assertMapped(new io.javalin.http.HttpResponseException(413, "Payload too large"), 413, "too_large");
    assertMapped(new io.javalin.http.HttpResponseException(404, "Not found"), 404, "not_found");
    assertMapped(new io.javalin.http.HttpResponseException(400, "Bad request"), 400, "invalid_input");
  }

  @Test
  void hostIsInTheDetails() {
    assertEquals("h1", ErrorMapping.translate(new UnavailableException("h1", "down")).details().get("host"));
    assertFalse(ErrorMapping.translate(new NotFoundException(null, "x")).details().containsKey("host"));
  }

  @Test
  void wrappedFailuresAreUnwrapped() {
    assertMapped(new CompletionException(new NotFoundException(null, "gone")), 404, "not_found");
  }

  @Test
  void anythingElseIs500WithoutItsMessage() {
    ApiException mapped = ErrorMapping.translate(new NullPointerException("deep detail"));
    assertEquals(500, mapped.status());
    assertEquals("internal", mapped.code());
    assertFalse(mapped.getMessage().contains("deep detail"));
  }
}
