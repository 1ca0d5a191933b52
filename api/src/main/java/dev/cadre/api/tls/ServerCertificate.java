package dev.cadre.api.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The certificate the API serves over TLS: the operator's PEM files, or a self-signed one made on the
 * first start in the data dir ({@code server.crt}, {@code server.key} mode 0600) and reused after. Clients
 * pin it by its SHA-256 fingerprint, as LXD's clients do.
 */
public final class ServerCertificate {
  public static final String CERT_FILE = "server.crt";
  public static final String KEY_FILE = "server.key";

  private final List<X509Certificate> chain;
  private final PrivateKey key;
  private final boolean created;

  private ServerCertificate(List<X509Certificate> chain, PrivateKey key, boolean created) {
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("no certificate");
    }
    this.chain = List.copyOf(chain);
    this.key = key;
    this.created = created;
  }

  /** The operator's certificate (with its chain, if the file has one) and its unencrypted key, both PEM. */
  public static ServerCertificate fromPem(Path certFile, Path keyFile) {
    List<X509Certificate> chain = readCertificates(certFile);
    PrivateKey key = readKey(keyFile);
    return new ServerCertificate(chain, key, false);
  }

  /** {@code dir/server.crt} and {@code dir/server.key}, made (for {@code names}) when they are not there yet. */
  public static ServerCertificate loadOrCreate(Path dir, List<String> names) {
    Path crt = dir.resolve(CERT_FILE);
    Path keyFile = dir.resolve(KEY_FILE);
    if (Files.exists(crt) && Files.exists(keyFile)) {
      return fromPem(crt, keyFile);
    }
    ServerCertificate fresh = generate(names);
    try {
      Files.createDirectories(dir);
      Files.deleteIfExists(keyFile);
      Files.createFile(keyFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(keyFile, pem(new JcaPKCS8Generator(fresh.key, null)));
      Files.writeString(crt, pem(fresh.certificate()));
    } catch (IOException e) {
      throw new TlsException("cannot write the server certificate to " + dir + ": " + e.getMessage(), e);
    }
    return new ServerCertificate(fresh.chain, fresh.key, true);
  }

  /** A new self-signed P-256 certificate valid for ten years, with {@code names} (addresses or DNS names) as SAN. */
  public static ServerCertificate generate(List<String> names) {
    try {
      KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
      gen.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
      KeyPair pair = gen.generateKeyPair();
      X500Name subject = new X500Name("CN=cadre,O=cadre");
      Instant now = Instant.now();
      var builder = new JcaX509v3CertificateBuilder(subject, new BigInteger(64, new SecureRandom()),
          Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(3650))), subject, pair.getPublic());
      builder.addExtension(Extension.subjectAlternativeName, false, subjectAltNames(names));
      var signer = new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate());
      X509Certificate cert = new JcaX509CertificateConverter().getCertificate(builder.build(signer));
      return new ServerCertificate(List.of(cert), pair.getPrivate(), true);
    } catch (Exception e) {
      throw new TlsException("cannot generate a server certificate: " + e.getMessage(), e);
    }
  }

  private static GeneralNames subjectAltNames(List<String> names) {
    List<GeneralName> out = new ArrayList<>();
    for (String name : new LinkedHashSet<>(names)) {
      out.add(new GeneralName(isAddress(name) ? GeneralName.iPAddress : GeneralName.dNSName, name));
    }
    return new GeneralNames(out.toArray(GeneralName[]::new));
  }

  /** An IPv4 or IPv6 literal (checked without any name lookup). */
  static boolean isAddress(String name) {
    return name.matches("[0-9.]+") || name.contains(":");
  }

  public X509Certificate certificate() {
    return chain.get(0);
  }

  /** True when this start made it (and wrote it to the data dir). */
  public boolean created() {
    return created;
  }

  /** SHA-256 of the certificate (DER), lower-case hex: what {@code CADRE_FINGERPRINT} pins. */
  public String fingerprint() {
    return fingerprint(certificate());
  }

  public static String fingerprint(Certificate cert) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An in-memory key store with the key and its chain under the alias {@code cadre}. */
  public KeyStore keyStore(char[] password) {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("cadre", key, password, chain.toArray(Certificate[]::new));
      return store;
    } catch (GeneralSecurityException | IOException e) {
      throw new TlsException("cannot build a key store from the server certificate: " + e.getMessage(), e);
    }
  }

  private static List<X509Certificate> readCertificates(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      List<X509Certificate> out = new ArrayList<>();
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        out.add((X509Certificate) c);
      }
      if (out.isEmpty()) {
        throw new TlsException("no PEM certificate in " + file, null);
      }
      return out;
    } catch (IOException | GeneralSecurityException e) {
      throw new TlsException("cannot read the certificate " + file + ": " + e.getMessage(), e);
    }
  }

  private static PrivateKey readKey(Path file) {
    try (Reader in = Files.newBufferedReader(file); PEMParser parser = new PEMParser(in)) {
      Object pem = parser.readObject();
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      if (pem instanceof PEMKeyPair pair) {
        return converter.getKeyPair(pair).getPrivate();
      }
      if (pem instanceof PrivateKeyInfo info) {
        return converter.getPrivateKey(info);
      }
      throw new TlsException("no unencrypted PEM private key in " + file
          + (pem == null ? "" : " (found " + pem.getClass().getSimpleName() + ")"), null);
    } catch (IOException e) {
      throw new TlsException("cannot read the private key " + file + ": " + e.getMessage(), e);
    }
  }

  private static String pem(Object value) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(value);
    }
    return out.toString();
  }

  /** TLS cannot be set up: the server refuses to start and says why. */
  public static final class TlsException extends RuntimeException {
    public TlsException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** The names a self-signed certificate for {@code host} carries: the host, this machine's name, loopback. */
  public static List<String> namesFor(String host) {
    LinkedHashSet<String> names = new LinkedHashSet<>();
    boolean wildcard = host.isEmpty() || host.equals("0.0.0.0") || host.equals("::") || host.equals("*");
    if (!wildcard) {
      names.add(host);
    }
    try {
      names.add(InetAddress.getLocalHost().getHostName());
    } catch (IOException e) {
      // no resolvable host name: the others still identify the server
    }
    if (wildcard) {
      try {
        java.net.NetworkInterface.networkInterfaces().flatMap(java.net.NetworkInterface::inetAddresses)
            .map(a -> a.getHostAddress().replaceAll("%.*$", "")).forEach(names::add);
      } catch (IOException e) {
        // no interfaces listed: the host name and loopback still go in
      }
    }
    names.add("localhost");
    names.add("127.0.0.1");
    names.add("::1");
    return List.copyOf(names);
  }
}
