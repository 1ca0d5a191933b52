package dev.cadre.zone;

import dev.cadre.driver.HostDriver;
import dev.cadre.driver.HostDriverContract;

/** The shared driver suite against two simulated illumos hosts (copy and refresh go from one to the other). */
class ZoneHostDriverSimulatorTest extends HostDriverContract {
  private final ZoneSimulator host1 = SimulatedHosts.simulator("zone1", "e1000g0");
  private final ZoneSimulator host2 = SimulatedHosts.simulator("zone2", "vioif0");
  private final ZoneHostDriver one = SimulatedHosts.driver(host1, "e1000g0", "10.77.0.1/24");
  private final ZoneHostDriver two = SimulatedHosts.driver(host2, "vioif0", "10.78.0.1/24");

  @Override
  protected HostDriver driver() {
    return one;
  }

  @Override
  protected String image() {
    return SimulatedHosts.IMAGE;
  }

  @Override
  protected String network() {
    return "e1000g0";
  }

  @Override
  protected String address(int i) {
    return "10.77.0." + (10 + i);
  }

  @Override
  protected boolean copiesRunningInstances() {
    return false; // a zone is detached to be sent
  }

  @Override
  protected HostDriver peer() {
    return two;
  }

  @Override
  protected String peerNetwork() {
    return "vioif0";
  }

  @Override
  protected String peerAddress(int i) {
    return "10.78.0." + (10 + i);
  }
}
