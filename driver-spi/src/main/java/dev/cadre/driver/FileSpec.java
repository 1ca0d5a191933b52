package dev.cadre.driver;

/** A file to push into an instance: absolute path, content, permission bits and owner. */
public record FileSpec(String path, byte[] content, int mode, int uid, int gid) {
  public FileSpec {
    Validation.requireAbsolutePath(path);
    if (content == null) {
      throw new InvalidInputException(null, "file content is required");
    }
    if (mode < 0 || mode > 07777) {
      throw new InvalidInputException(null, "file mode must be between 0 and 07777, got " + Integer.toOctalString(mode));
    }
    if (uid < 0 || gid < 0) {
      throw new InvalidInputException(null, "uid and gid must not be negative");
    }
  }

  public static FileSpec of(String path, byte[] content, int mode) {
    return new FileSpec(path, content, mode, 0, 0);
  }
}
