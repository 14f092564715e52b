package dev.teamsconnect.mqtt;

import dev.teamsconnect.testkit.tls.SelfSignedCertificate;
import java.nio.file.Path;

/** The broker cases against Moquette, embedded: runs in every build. */
class MqttStatusOutputMoquetteIntegrationTest extends MqttStatusOutputBrokerContract {

    @Override
    TestBroker newBroker(SelfSignedCertificate certificate, Path dir) {
        return new MoquetteBroker(certificate);
    }

    /** Moquette 0.17 sends retained messages to a new subscription without the RETAIN flag (seen here; Mosquitto sets it). */
    @Override
    boolean flagsRetainedMessagesOnSubscribe() {
        return false;
    }
}
