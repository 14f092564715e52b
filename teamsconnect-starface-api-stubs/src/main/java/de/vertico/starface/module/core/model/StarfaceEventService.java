package de.vertico.starface.module.core.model;

import java.util.function.Consumer;

/**
 * Compile-only stub. The PBX's event service: events are published through it (SF-Modulefunctions
 * ChangeUserPresence.java), and a module subscribes to events with it (SFWiki dev_eventsubscriber.md, and
 * SF-Modulefunctions {@code src/9.X/libraries/listenerv2/}). The method names and the listener's shape are not in the
 * sources we have: {@link #publish}, {@link #subscribe} and {@link #unsubscribe} are placeholders for them, and
 * subscribing returns a handle that unsubscribing takes.
 */
public interface StarfaceEventService {

    void publish(Object event);

    <E> Object subscribe(Class<E> eventType, Consumer<E> listener);

    void unsubscribe(Object subscription);
}
