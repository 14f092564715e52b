package dev.teamsconnect.graph;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import javax.net.SocketFactory;
import org.junit.jupiter.api.Test;

class NoDelaySocketFactoryTest {

    private final NoDelaySocketFactory factory = new NoDelaySocketFactory(SocketFactory.getDefault());

    @Test
    void unconnectedSocketsHaveNagleOff() throws Exception {
        try (Socket s = factory.createSocket()) {
            assertThat(s.getTcpNoDelay()).isTrue();
        }
    }

    @Test
    void connectedSocketsHaveNagleOff() throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket server = new ServerSocket(0, 4, loopback);
             Socket byName = factory.createSocket(loopback.getHostAddress(), server.getLocalPort());
             Socket byAddress = factory.createSocket(loopback, server.getLocalPort())) {
            assertThat(byName.getTcpNoDelay()).isTrue();
            assertThat(byAddress.getTcpNoDelay()).isTrue();
        }
    }
}
