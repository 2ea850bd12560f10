package io.ratatoskr.mqtt.server;

import io.netty.util.concurrent.DefaultThreadFactory;

/** Netty's fast thread factory with our thread names. */
final class NamedThreads extends DefaultThreadFactory {
    NamedThreads(String prefix) {
        super(prefix, true);
    }
}
