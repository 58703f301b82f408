package dev.switchboard.tck;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A SOCKS5 proxy on 127.0.0.1 (RFC 1928, no authentication, {@code CONNECT} only) for the {@code
 * proxy} area: records each target it was asked for ({@code host:port}, as the client sent it, a
 * name or an address) and relays bytes to it, but only to loopback, compared as written (never
 * resolved through DNS). One daemon thread per direction of each connection.
 */
final class LoopbackSocks5 implements AutoCloseable {
  private final ServerSocket server;
  private final List<String> targets = new CopyOnWriteArrayList<>();
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  private LoopbackSocks5(ServerSocket server) {
    this.server = server;
    Thread t = new Thread(this::acceptLoop, "tck-socks5-accept");
    t.setDaemon(true);
    t.start();
  }

  static LoopbackSocks5 start() throws IOException {
    return new LoopbackSocks5(new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1")));
  }

  int port() {
    return server.getLocalPort();
  }

  /** The targets asked for, {@code host:port}, in order. */
  List<String> targets() {
    return List.copyOf(targets);
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket s = server.accept();
        open.add(s);
        Thread t = new Thread(() -> serve(s), "tck-socks5-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void serve(Socket client) {
    try {
      client.setSoTimeout(10_000);
      DataInputStream in = new DataInputStream(client.getInputStream());
      OutputStream out = client.getOutputStream();
      if (in.readUnsignedByte() != 5) {
        client.close();
        return;
      }
      byte[] methods = new byte[in.readUnsignedByte()];
      in.readFully(methods);
      boolean noAuth = false;
      for (byte m : methods) {
        noAuth |= m == 0;
      }
      out.write(new byte[] {5, (byte) (noAuth ? 0 : 0xff)});
      out.flush();
      if (!noAuth) {
        client.close();
        return;
      }
      int version = in.readUnsignedByte();
      int command = in.readUnsignedByte();
      in.readUnsignedByte(); // reserved
      String host = readAddress(in, in.readUnsignedByte());
      int port = in.readUnsignedShort();
      targets.add((host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port);
      if (version != 5 || command != 1 || !isLoopback(host)) {
        reply(out, version != 5 || command != 1 ? 7 : 2); // not supported / not allowed
        client.close();
        return;
      }
      Socket upstream = new Socket();
      open.add(upstream);
      try {
        upstream.connect(new InetSocketAddress(loopback(host), port), 5_000);
      } catch (IOException e) {
        reply(out, 5); // connection refused
        client.close();
        upstream.close();
        return;
      }
      reply(out, 0);
      client.setSoTimeout(0);
      relay(upstream.getInputStream(), out, client, upstream);
      relay(in, upstream.getOutputStream(), client, upstream);
    } catch (IOException e) {
      close(client);
    }
  }

  private static String readAddress(DataInputStream in, int type) throws IOException {
    switch (type) {
      case 1 -> {
        byte[] a = new byte[4];
        in.readFully(a);
        return (a[0] & 0xff) + "." + (a[1] & 0xff) + "." + (a[2] & 0xff) + "." + (a[3] & 0xff);
      }
      case 3 -> {
        byte[] name = new byte[in.readUnsignedByte()];
        in.readFully(name);
        return new String(name, StandardCharsets.US_ASCII);
      }
      case 4 -> {
        byte[] a = new byte[16];
        in.readFully(a);
        return InetAddress.getByAddress(a).getHostAddress(); // an address: nothing is looked up
      }
      default -> throw new IOException("unknown SOCKS5 address type " + type);
    }
  }

  private static boolean isLoopback(String host) {
    return host.equals("127.0.0.1")
        || host.equals("localhost")
        || host.equals("0:0:0:0:0:0:0:1")
        || host.equals("::1");
  }

  private static InetAddress loopback(String host) throws IOException {
    return host.contains(":")
        ? InetAddress.getByAddress(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})
        : InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
  }

  private static void reply(OutputStream out, int code) throws IOException {
    out.write(new byte[] {5, (byte) code, 0, 1, 0, 0, 0, 0, 0, 0});
    out.flush();
  }

  private void relay(InputStream from, OutputStream to, Socket a, Socket b) {
    Thread t =
        new Thread(
            () -> {
              byte[] buf = new byte[16 * 1024];
              try {
                for (int n; (n = from.read(buf)) != -1; ) {
                  to.write(buf, 0, n);
                  to.flush();
                }
              } catch (IOException e) {
                // one side went away
              } finally {
                close(a);
                close(b);
              }
            },
            "tck-socks5-relay");
    t.setDaemon(true);
    t.start();
  }

  private void close(Socket s) {
    open.remove(s);
    try {
      s.close();
    } catch (IOException e) {
      // closing
    }
  }

  @Override
  public void close() {
    closed = true;
    Loopback.closeAll(server, open);
  }
}
