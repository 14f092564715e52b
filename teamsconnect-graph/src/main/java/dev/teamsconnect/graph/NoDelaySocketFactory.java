package dev.teamsconnect.graph;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import javax.net.SocketFactory;

/**
 * Plain sockets with {@code TCP_NODELAY} on, for the Graph client's OkHttp (which leaves Nagle's algorithm on).
 * A presence request is ~26 KB of ids, written as TLS records of up to 16 KB: with Nagle on, the last record waits for
 * the ACK of the first, and a server that delays its ACKs (Linux: up to 40 ms) adds that wait to every request.
 */
final class NoDelaySocketFactory extends SocketFactory {

    private final SocketFactory delegate;

    NoDelaySocketFactory(SocketFactory delegate) {
        this.delegate = delegate;
    }

    private static Socket noDelay(Socket s) throws IOException {
        s.setTcpNoDelay(true);
        return s;
    }

    @Override
    public Socket createSocket() throws IOException {
        return noDelay(delegate.createSocket());
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return noDelay(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return noDelay(delegate.createSocket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return noDelay(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return noDelay(delegate.createSocket(address, port, localAddress, localPort));
    }
}
