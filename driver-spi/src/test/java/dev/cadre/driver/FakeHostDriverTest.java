package dev.cadre.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

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

  @Test
  void aCopyReportsTheBytesItSentOnceAsItEnds() {
    one.create(InstanceSpec.builder("c1", "busybox").nic("br0", address(3)).build());
    one.pushFile("c1", FileSpec.of("/data/a", new byte[3000], 0644));
    one.pushFile("c1", FileSpec.of("/data/b", new byte[500], 0644));
    List<Long> sent = new ArrayList<>();
    one.copyTo(two, new CopyRequest("c1", "c1", new NicSpec("br1", peerAddress(0)), false), sent::add);
    assertEquals(1, sent.size(), "one figure: " + sent);
    assertEquals(3500, sent.get(0), "all of it for a first copy");

    one.pushFile("c1", FileSpec.of("/data/b", new byte[700], 0644));
    sent.clear();
    one.copyTo(two, new CopyRequest("c1", "c1", new NicSpec("br1", peerAddress(0)), true), sent::add);
    assertEquals(List.of(700L), sent, "what changed for a refresh");

    one.copyTo(two, new CopyRequest("c1", "c1", new NicSpec("br1", peerAddress(0)), true), n -> {
      throw new IllegalStateException("a listener that fails");
    });
    assertEquals(700, two.file("c1", "/data/b").length, "a failing listener does not fail the copy");
  }
}
