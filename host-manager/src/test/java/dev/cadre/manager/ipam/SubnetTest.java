package dev.cadre.manager.ipam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadre.driver.InvalidInputException;
import org.junit.jupiter.api.Test;

class SubnetTest {

  @Test
  void poolOfASlash24IsTheUpperHalfWithoutBroadcast() {
    Subnet s = Subnet.parseGatewayCidr("10.77.0.1/24");
    assertEquals("10.77.0.0/24", s.cidr());
    assertEquals("10.77.0.1", s.gatewayAddress());
    assertEquals("10.77.0.128", Subnet.toString(s.poolStart()));
    assertEquals("10.77.0.254", Subnet.toString(s.poolEnd()));
    assertTrue(s.inPool(Subnet.toInt("10.77.0.200")));
    assertFalse(s.inPool(Subnet.toInt("10.77.0.255")));
    assertFalse(s.inPool(Subnet.toInt("10.77.0.127")));
    assertFalse(s.inPool(Subnet.toInt("10.77.1.130")));
  }

  @Test
  void gatewayInTheUpperHalfIsNeverInThePool() {
    Subnet s = Subnet.parseGatewayCidr("192.168.5.200/24");
    assertEquals("192.168.5.0/24", s.cidr());
    assertFalse(s.inPool(Subnet.toInt("192.168.5.200")));
    assertTrue(s.inPool(Subnet.toInt("192.168.5.201")));
  }

  @Test
  void otherPrefixes() {
    Subnet s16 = Subnet.parseGatewayCidr("10.1.0.1/16");
    assertEquals("10.1.128.0", Subnet.toString(s16.poolStart()));
    assertEquals("10.1.255.254", Subnet.toString(s16.poolEnd()));
    Subnet s28 = Subnet.parseGatewayCidr("10.2.0.17/28");
    assertEquals("10.2.0.16/28", s28.cidr());
    assertEquals("10.2.0.24", Subnet.toString(s28.poolStart()));
    assertEquals("10.2.0.30", Subnet.toString(s28.poolEnd()));
  }

  @Test
  void refusesWhatIsNotAGatewayWithPrefix() {
    for (String bad : new String[] {null, "10.0.0.1", "10.0.0.1/33", "10.0.0.1/x", "10.0.0.256/24", "10.0.0.1/30", "a/24"}) {
      assertThrows(InvalidInputException.class, () -> Subnet.parseGatewayCidr(bad), String.valueOf(bad));
    }
  }
}
