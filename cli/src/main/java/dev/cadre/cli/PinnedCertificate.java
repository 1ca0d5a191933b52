package dev.cadre.cli;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trust in exactly one server certificate, named by its SHA-256 fingerprint ({@code CADRE_FINGERPRINT}),
 * as {@code lxc remote add} does: the certificate is the identity, so neither a CA nor the host name in
 * it matters (a self-signed certificate made for {@code 0.0.0.0} works from any address).
 */
final class PinnedCertificate extends X509ExtendedTrustManager {
  private final String fingerprint;

  PinnedCertificate(String fingerprint) {
    this.fingerprint = normalize(fingerprint);
  }

  /** Lower-case hex without separators; 64 hex digits or a usage error. */
  static String normalize(String fingerprint) {
    String hex = fingerprint.strip().replace(":", "").toLowerCase(Locale.ROOT);
    if (hex.startsWith("sha256")) {
      hex = hex.substring("sha256".length()).replaceFirst("^[=/]", "");
    }
    if (!hex.matches("[0-9a-f]{64}")) {
      throw new CliException(ExitCodes.USAGE, "the certificate fingerprint must be 64 hex digits (SHA-256, as 'cadre"
          + " serve' prints it), got '" + fingerprint + "'");
    }
    return hex;
  }

  SSLContext context() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {this}, new SecureRandom());
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private void check(X509Certificate[] chain) throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw new CertificateException("the server sent no certificate");
    }
    String seen;
    try {
      seen = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(chain[0].getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new CertificateException(e);
    }
    if (!seen.equals(fingerprint)) {
      throw new CertificateException("the server's certificate has fingerprint " + seen + ", not the pinned "
          + fingerprint);
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    check(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    check(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    check(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    throw new CertificateException("a client does not check client certificates");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    throw new CertificateException("a client does not check client certificates");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    throw new CertificateException("a client does not check client certificates");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[0];
  }
}
