package dev.cadre.manager.lxd;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on 127.0.0.1 in front of a real endpoint (TLS passes through untouched). After
 * {@link #hang()} it cuts the connections it forwards and from then on accepts connections and never
 * answers: what a host whose daemon is wedged looks like from cadre.
 */
final class HangingProxy implements AutoCloseable {
  private final ServerSocket server;
  private final InetSocketAddress target;
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private volatile boolean hanging;

  HangingProxy(String targetHost, int targetPort) throws IOException {
    this.target = new InetSocketAddress(targetHost, targetPort);
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread accept = new Thread(this::accept, "hanging-proxy-accept");
    accept.setDaemon(true);
    accept.start();
  }

  /** The endpoint to register: {@code https://127.0.0.1:<port>}. */
  String endpoint() {
    return "https://127.0.0.1:" + server.getLocalPort();
  }

  void hang() {
    hanging = true;
    open.forEach(HangingProxy::quietly);
    open.clear();
  }

  private void accept() {
    while (!server.isClosed()) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException closed) {
        return;
      }
      open.add(client);
      if (hanging) {
        // read and drop what the client sends, answer nothing, never close
        pump(client, null, null);
        continue;
      }
      try {
        Socket upstream = new Socket();
        upstream.connect(target, 5_000);
        open.add(upstream);
        pump(client, upstream, "up");
        pump(upstream, client, "down");
      } catch (IOException e) {
        quietly(client);
      }
    }
  }

  private void pump(Socket from, Socket to, String name) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[16384];
      try (InputStream in = from.getInputStream()) {
        OutputStream out = to == null ? null : to.getOutputStream();
        for (int n; (n = in.read(buf)) >= 0; ) {
          if (out != null && !hanging) {
            out.write(buf, 0, n);
            out.flush();
          }
        }
      } catch (IOException e) {
        // one side went away
      } finally {
        if (to != null) {
          quietly(to);
          quietly(from);
        }
      }
    }, "hanging-proxy-" + (name == null ? "sink" : name));
    t.setDaemon(true);
    t.start();
  }

  private static void quietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // already gone
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    open.forEach(HangingProxy::quietly);
  }
}
