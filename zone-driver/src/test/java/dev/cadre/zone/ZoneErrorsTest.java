package dev.cadre.zone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadre.driver.ConflictException;
import dev.cadre.driver.DriverException;
import dev.cadre.driver.HostFailureException;
import dev.cadre.driver.NotFoundException;
import dev.cadre.driver.UnauthorizedException;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ZoneErrorsTest {
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "1|zoneadm: web1: No such zone configured|NotFound",
      "1|cannot open 'zones/web1': dataset does not exist|NotFound",
      "1|could not find any snapshots to destroy; check snapshot names.|NotFound",
      "1|dladm: vnic creation over nosuch0 failed: object not found|NotFound",
      "1|zoneadm: zone 'web1': must be installed before boot.|Conflict",
      "1|zoneadm: zone 'web1': uninstall operation is invalid for running zones.|Conflict",
      "1|zoneadm: zone 'web1': is already installed.|Conflict",
      "1|Zone web1 not in configured state; delete not allowed.|Conflict",
      "1|Zone web1 already installed; create not allowed.|Conflict",
      "1|cannot create snapshot 'zones/web1@s': dataset already exists|Conflict",
      "1|zlogin: login allowed only to running zones (web1 is 'installed').|Conflict",
      "1|dladm: vnic deletion failed: link busy|Conflict",
      "1|zoneadm: zone 'web1': only a privileged user may boot a zone.|Unauthorized",
      "1|zoneadm: zone 'web1': ERROR: the install failed for reasons unknown|HostFailure",
      "127|sh: zoneadm: not found|HostFailure",
  })
  void translatesIllumosMessagesIntoTheExceptionFamily(int exit, String stderr, String kind) {
    DriverException e = ZoneErrors.translate("gz1", List.of("zoneadm", "-z", "web1", "boot"), ZoneSimulator.err(exit, stderr));
    Class<? extends DriverException> expected = switch (kind) {
      case "NotFound" -> NotFoundException.class;
      case "Conflict" -> ConflictException.class;
      case "Unauthorized" -> UnauthorizedException.class;
      default -> HostFailureException.class;
    };
    assertInstanceOf(expected, e);
    assertEquals("gz1", e.host());
    assertTrue(e.getMessage().contains(exit == 127 ? "not available" : stderr), e.getMessage());
  }
}
