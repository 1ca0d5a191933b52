package dev.cadre.lxd;

import dev.cadre.driver.HostDriver;
import dev.cadre.driver.HostDriverContract;

/** The shared driver suite against two real LXD daemons (the second across a network namespace). */
class LxdHostDriverIT extends HostDriverContract {
  @Override
  protected HostDriver driver() {
    return LxdTestHosts.one();
  }

  @Override
  protected String image() {
    return "busybox";
  }

  @Override
  protected String network() {
    return LxdTestHosts.NETWORK_1;
  }

  @Override
  protected String address(int i) {
    return "10.77.0." + (100 + i);
  }

  @Override
  protected HostDriver peer() {
    return LxdTestHosts.two();
  }

  @Override
  protected String peerNetwork() {
    return LxdTestHosts.NETWORK_2;
  }

  @Override
  protected String peerAddress(int i) {
    return "10.78.0." + (100 + i);
  }

  /** The test hosts' networks differ; which LXD lets snapshots follow a copy onto another network is the driver's rule. */
  @Override
  protected boolean peerTakesSnapshotsOntoAnotherNetwork() {
    String version = LxdTestHosts.two().client().get("/1.0").path("environment").path("server_version").asText();
    return LxdCopy.takesSnapshotsOntoAnotherNic(version);
  }
}
