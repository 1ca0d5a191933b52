package dev.cadre.lxd;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * For as long as it is open, drops the DHCP release that this machine sends for one MAC address (LXD
 * clears a deleted container's lease by sending dnsmasq a DHCPRELEASE on its behalf). What is left is
 * exactly the state LXD leaves now and then on its own: the container is gone, its lease is not. Only
 * packets carrying that one MAC (BOOTP chaddr, 28 bytes into the payload) are touched, in a table of
 * its own that {@link #close()} removes.
 */
final class DhcpReleaseBlock implements AutoCloseable {
  private final String table = "cadre_it_" + UUID.randomUUID().toString().substring(0, 8);

  private DhcpReleaseBlock() {}

  static DhcpReleaseBlock forMac(String mac) {
    DhcpReleaseBlock block = new DhcpReleaseBlock();
    nft("add", "table", "ip", block.table);
    try {
      nft("add", "chain", "ip", block.table, "out", "{ type filter hook output priority -10; }");
      // the UDP header is 8 bytes, chaddr starts 28 bytes into BOOTP: bit 288 of the transport header
      nft("add", "rule", "ip", block.table, "out", "udp", "dport", "67", "@th,288,48", "0x" + mac.replace(":", ""),
          "counter", "drop");
    } catch (RuntimeException e) {
      block.close();
      throw e;
    }
    return block;
  }

  /** Packets dropped so far. */
  long dropped() {
    String listing = nft("list", "table", "ip", table);
    int at = listing.indexOf("packets ");
    return at < 0 ? 0 : Long.parseLong(listing.substring(at + 8).split("\\s")[0]);
  }

  @Override
  public void close() {
    nft("delete", "table", "ip", table);
  }

  private static String nft(String... args) {
    List<String> argv = new ArrayList<>(List.of("nft"));
    argv.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("nft did not finish: " + argv);
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        throw new IllegalStateException("nft failed (" + p.exitValue() + "): " + argv + ": " + out);
      }
      return out;
    } catch (IOException e) {
      throw new IllegalStateException("this test needs nft (nftables) and root: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
