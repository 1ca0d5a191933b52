package dev.cadre.lxd;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.X509TrustManager;

/**
 * LXD servers present self-signed certificates, so the CA system cannot vouch for them. A host is
 * registered with the SHA-256 fingerprint of its certificate and only that certificate is accepted;
 * without one, the first certificate seen is accepted and remembered (trust on first use), and
 * {@link #seenFingerprint()} tells the caller what to record.
 */
final class ServerTrust implements X509TrustManager {
  private volatile String pinned;
  private volatile String refused;

  ServerTrust(String fingerprint) {
    this.pinned = fingerprint == null || fingerprint.isBlank() ? null : fingerprint.toLowerCase().replace(":", "");
  }

  String seenFingerprint() {
    return pinned;
  }

  /** The fingerprint of the last certificate refused for not matching the pinned one, or null. */
  String refusedFingerprint() {
    return refused;
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw new CertificateException("the server sent no certificate");
    }
    String actual = ClientCertificate.fingerprint(chain[0]);
    synchronized (this) {
      if (pinned == null) {
        pinned = actual;
      } else if (!pinned.equals(actual)) {
        refused = actual;
        throw new CertificateException("server certificate " + actual + " does not match the pinned " + pinned);
      }
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    throw new CertificateException("client side only");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[0];
  }
}
