package dev.cadre.templates;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageBuilderTailTest {
  @TempDir
  Path dir;

  @Test
  void theLast25LinesOfAHugeLogAreReadFromItsEndOnly() throws Exception {
    Path log = dir.resolve("build.log");
    try (BufferedWriter w = Files.newBufferedWriter(log)) {
      for (int i = 0; i < 2_000_000; i++) {
        w.write("line " + i + "\n");
      }
    }
    String expected = IntStream.range(2_000_000 - 25, 2_000_000).mapToObj(i -> "line " + i)
        .collect(Collectors.joining("\n"));
    assertEquals(expected, ImageBuilder.tail(log));
  }

  @Test
  void aShortLogIsReadWhole() throws Exception {
    Path log = dir.resolve("short.log");
    Files.writeString(log, "one\ntwo\n");
    assertEquals("one\ntwo", ImageBuilder.tail(log));
  }
}
