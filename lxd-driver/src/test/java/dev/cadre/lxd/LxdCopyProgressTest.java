package dev.cadre.lxd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** A copy's progress is what it sent: a decaying rate over a cut link is no progress (MoveIT's link cut). */
class LxdCopyProgressTest {
  private final ObjectMapper json = new ObjectMapper();

  @Test
  void aRateThatDecaysIsNotProgress() throws Exception {
    String a = LxdCopy.sent(json.readTree("{\"fs_progress\":\"m-db-1: 160B (60B/s)\"}"));
    String b = LxdCopy.sent(json.readTree("{\"fs_progress\":\"m-db-1: 160B (12B/s)\"}"));
    assertEquals(a, b);
    assertEquals("{\"fs_progress\":\"m-db-1: 160B\"}", a);
  }

  @Test
  void moreBytesAreProgress() throws Exception {
    assertNotEquals(LxdCopy.sent(json.readTree("{\"fs_progress\":\"m-db-1: 160B (60B/s)\"}")),
        LxdCopy.sent(json.readTree("{\"fs_progress\":\"m-db-1: 1.20MB (60B/s)\"}")));
  }
}
