package dev.cadre.driver;

/**
 * A file read out of an instance was larger than the caller's limit: the read stopped there. A
 * {@link HostFailureException} (the instance holds something cadre does not take), so it keeps that
 * status in the API.
 */
public class FileTooLargeException extends HostFailureException {
  private final long limit;

  public FileTooLargeException(String host, String path, long limit) {
    super(host, "file " + path + " is larger than the " + limit + " bytes cadre reads");
    this.limit = limit;
  }

  public long limit() {
    return limit;
  }
}
