package dev.cadre.cli;

/** The CLI's exit codes, written down once; {@code cadre --help} prints them. */
public final class ExitCodes {
  public static final int OK = 0;
  /** The followed operation ended in failure or was cancelled, or an unexpected local error. */
  public static final int FAILED = 1;
  /** Wrong command line (picocli's own code). */
  public static final int USAGE = 2;
  public static final int UNREACHABLE = 3;
  /** 401 (missing or wrong token) or 403. */
  public static final int UNAUTHORIZED = 4;
  public static final int NOT_FOUND = 5;
  /** 409: name taken, no capacity, wrong state, not supported. */
  public static final int CONFLICT = 6;
  /** 400: the server refused the input. */
  public static final int INVALID = 7;
  /** 5xx: the server or a host failed. */
  public static final int SERVER_ERROR = 8;
  /** {@code --wait} ran out of time before the operation finished. */
  public static final int TIMEOUT = 9;

  public static final String HELP = String.join("%n",
      "Exit codes:",
      "  0  success",
      "  1  the followed operation failed or was cancelled",
      "  2  wrong command line",
      "  3  the server cannot be reached",
      "  4  missing or wrong token (HTTP 401/403)",
      "  5  not found (404)",
      "  6  conflict: name taken, no capacity, wrong state (409)",
      "  7  invalid input (400)",
      "  8  server or host error (5xx)",
      "  9  timed out waiting for an operation",
      "Environment:",
      "  CADRE_URL       server URL (default http://127.0.0.1:7440)",
      "  CADRE_TOKEN     bearer token (default: the file $CADRE_DATA_DIR/admin-token,",
      "                  else ./.cadre/admin-token)");

  private ExitCodes() {}

  public static int forStatus(int status) {
    return switch (status) {
      case 400, 413, 422 -> INVALID;
      case 401, 403 -> UNAUTHORIZED;
      case 404 -> NOT_FOUND;
      case 409 -> CONFLICT;
      default -> status >= 500 ? SERVER_ERROR : FAILED;
    };
  }
}
