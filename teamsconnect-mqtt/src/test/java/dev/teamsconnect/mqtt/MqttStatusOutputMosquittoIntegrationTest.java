package dev.teamsconnect.mqtt;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.teamsconnect.testkit.tls.SelfSignedCertificate;
import java.nio.file.Path;

/**
 * The broker cases against Mosquitto, started per test with a generated config; skipped (an assumption, reported
 * as skipped) when {@code /usr/sbin/mosquitto} is not installed. {@code .ci/run} installs it.
 */
class MqttStatusOutputMosquittoIntegrationTest extends MqttStatusOutputBrokerContract {

    @Override
    TestBroker newBroker(SelfSignedCertificate certificate, Path dir) {
        assumeTrue(MosquittoBroker.installed(), "Mosquitto is not installed (" + MosquittoBroker.BINARY + ")");
        return new MosquittoBroker(certificate, dir);
    }
}
