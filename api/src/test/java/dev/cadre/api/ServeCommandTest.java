package dev.cadre.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cadre.cli.CliException;
import org.junit.jupiter.api.Test;

class ServeCommandTest {
  @Test
  void listenAddressesParse() {
    assertEquals(new ServeCommand.Listen("127.0.0.1", 7440), ServeCommand.Listen.parse("127.0.0.1:7440"));
    assertEquals(new ServeCommand.Listen("0.0.0.0", 0), ServeCommand.Listen.parse("0.0.0.0:0"));
    assertEquals(new ServeCommand.Listen("::1", 8080), ServeCommand.Listen.parse("[::1]:8080"));
  }

  @Test
  void badListenAddressesAreUsageErrors() {
    for (String bad : new String[] {"7440", ":7440", "host:", "host:port", "host:70000", "host:-1"}) {
      CliException e = assertThrows(CliException.class, () -> ServeCommand.Listen.parse(bad), bad);
      assertEquals(2, e.exitCode());
    }
  }
}
