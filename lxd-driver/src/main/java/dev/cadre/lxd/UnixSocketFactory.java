package dev.cadre.lxd;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.file.Path;
import javax.net.SocketFactory;
import jnr.unixsocket.UnixSocket;
import jnr.unixsocket.UnixSocketAddress;
import jnr.unixsocket.UnixSocketChannel;

/**
 * All unix-socket plumbing in one place: OkHttp asks for a TCP socket to some host and port; we hand
 * it a socket connected to the LXD daemon's unix socket instead.
 */
final class UnixSocketFactory extends SocketFactory {
  private final Path socket;

  UnixSocketFactory(Path socket) {
    this.socket = socket;
  }

  @Override
  public Socket createSocket() throws IOException {
    UnixSocketChannel channel = UnixSocketChannel.create();
    return new UnixSocket(channel) {
      @Override
      public void connect(SocketAddress ignored) throws IOException {
        connect(ignored, 0);
      }

      @Override
      public void connect(SocketAddress ignored, int timeout) throws IOException {
        try {
          channel.connect(new UnixSocketAddress(socket.toFile()));
        } catch (IOException e) {
          // no socket file, nobody listening, no permission: no connection was made, whatever jnr calls it
          ConnectException refused = new ConnectException("cannot connect to " + socket + ": " + e.getMessage());
          refused.initCause(e);
          throw refused;
        }
      }

      @Override
      public InetAddress getInetAddress() {
        return InetAddress.getLoopbackAddress();
      }
    };
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return connected();
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
    return connected();
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return connected();
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
    return connected();
  }

  private Socket connected() throws IOException {
    Socket s = createSocket();
    s.connect(null);
    return s;
  }
}
