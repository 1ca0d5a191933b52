package dev.cadre.driver;

/** The in-memory fake passes the same suite as the real drivers, so tests above it can trust it. */
class FakeHostDriverTest extends HostDriverContract {
  private final FakeHostDriver one = new FakeHostDriver("fake-1", "br0", "10.77.0.1/24", "busybox");
  private final FakeHostDriver two = new FakeHostDriver("fake-2", "br1", "10.78.0.1/24");

  @Override
  protected HostDriver driver() {
    return one;
  }

  @Override
  protected String image() {
    return "busybox";
  }

  @Override
  protected String network() {
    return "br0";
  }

  @Override
  protected String address(int i) {
    return "10.77.0." + (10 + i);
  }

  @Override
  protected HostDriver peer() {
    return two;
  }

  @Override
  protected String peerNetwork() {
    return "br1";
  }

  @Override
  protected String peerAddress(int i) {
    return "10.78.0." + (10 + i);
  }
}
