package io.ratatoskr.server;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.ratatoskr.core.broker.Broker;
import io.ratatoskr.core.broker.BrokerMetrics;
import io.ratatoskr.core.broker.SysTopics;
import io.ratatoskr.core.persist.BrokerPersistence;
import io.ratatoskr.mqtt.server.MqttServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A running Ratatoskr node: wires the broker core and its front ends from a {@link ServerConfig},
 * starts them, and stops them in reverse order. The one place that knows every module.
 *
 * <p>Thread-safe: {@link #start} returns a started server; {@link #close} may be called from any
 * thread (the shutdown hook included), once or more.
 */
public final class RatatoskrServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RatatoskrServer.class);

    private final ServerConfig config;
    private final MeterRegistry registry;
    private final Broker broker;
    private final MqttServer mqtt;
    private final ScheduledExecutorService housekeeping;
    private final BrokerPersistence persistence;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private boolean closed;

    private RatatoskrServer(ServerConfig config) throws InterruptedException {
        this.config = config;
        Path dir = config.dataDir().toAbsolutePath();
        try {
            Files.createDirectories(dir);
            lockChannel = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            lock = tryLock(lockChannel);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use data directory " + dir + ": " + e.getMessage(), e);
        }
        if (lock == null) {
            closeQuietly(lockChannel);
            throw new IllegalStateException("data directory " + dir + " is in use by another Ratatoskr process");
        }
        registry = new SimpleMeterRegistry();
        BrokerMetrics metrics = new BrokerMetrics(registry);
        broker = new Broker(config.broker(), Clock.systemUTC(), metrics);
        housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ratatoskr-housekeeping");
            t.setDaemon(true);
            return t;
        });
        try {
            // Retained messages and persistent sessions are back before the first client connects.
            persistence = BrokerPersistence.open(dir, config.persistence(), config.mqtt().maxPacketSize(), broker);
        } catch (RuntimeException e) {
            housekeeping.shutdownNow();
            releaseLock();
            throw e;
        }
        mqtt = new MqttServer(config.mqtt(), broker, new SecureRandom());
        try {
            mqtt.start();
        } catch (RuntimeException | InterruptedException e) {
            persistence.close();
            housekeeping.shutdownNow();
            releaseLock();
            throw e;
        }
        long sysInterval = config.broker().sysIntervalSeconds();
        if (sysInterval > 0) {
            SysTopics sys = new SysTopics(broker, Version.get());
            housekeeping.scheduleAtFixedRate(() -> {
                try {
                    sys.run();
                } catch (RuntimeException e) {
                    log.warn("publishing $SYS statistics failed", e);
                }
            }, 0, sysInterval, TimeUnit.SECONDS);
        }
        log.info("Ratatoskr {} started: data in {}, MQTT on {}:{}", Version.get(), dir, mqtt.host(), mqtt.port());
    }

    /** The lock, or null when another process — or another server in this JVM — holds it. */
    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            return null;
        }
    }

    /** Starts a node; fails with a clear message if a port is taken or the data directory is in use. */
    public static RatatoskrServer start(ServerConfig config) throws InterruptedException {
        return new RatatoskrServer(config);
    }

    public ServerConfig config() {
        return config;
    }

    public int mqttPort() {
        return mqtt.port();
    }

    public Broker broker() {
        return broker;
    }

    public MeterRegistry meterRegistry() {
        return registry;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        log.info("Ratatoskr stopping");
        housekeeping.shutdownNow();
        mqtt.close();
        try {
            persistence.close();
        } catch (RuntimeException e) {
            log.error("closing the state logs failed", e);
        }
        releaseLock();
        log.info("Ratatoskr stopped");
    }

    private void releaseLock() {
        try {
            lock.release();
        } catch (IOException e) {
            log.warn("releasing the data directory lock failed", e);
        }
        closeQuietly(lockChannel);
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing left to do
        }
    }
}
