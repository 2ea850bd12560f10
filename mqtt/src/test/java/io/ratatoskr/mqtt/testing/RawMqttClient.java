package io.ratatoskr.mqtt.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.ratatoskr.mqtt.codec.MqttPacket;
import io.ratatoskr.mqtt.codec.MqttVersion;
import io.ratatoskr.mqtt.codec.PacketReader;
import io.ratatoskr.mqtt.codec.PacketType;
import io.ratatoskr.mqtt.codec.PacketWriter;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Objects;

/**
 * A blocking MQTT client for integration tests that does only what it is told: it sends a packet, or any
 * bytes at all, and reads back whatever the server sends. Tests of bad input use it to send what a real
 * client library never would, then check the server's answer and that it closed the connection.
 *
 * <p>Packets are written with {@link PacketWriter} and read with {@link PacketReader} in the client's
 * version. Bytes that arrive are buffered until a whole packet is there, so a receive that times out in
 * the middle of a packet loses nothing: the next receive carries on.
 *
 * <p>Not thread-safe: one test thread uses an instance. Close it to close the socket.
 */
public final class RawMqttClient implements AutoCloseable {
    /** Larger packets from the server are treated as an error rather than buffered. */
    private static final int MAX_PACKET_BYTES = 16 * 1024 * 1024;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final MqttVersion version;
    private final ByteBuf received = Unpooled.buffer();
    private final byte[] chunk = new byte[16 * 1024];
    private boolean endOfStream;

    private RawMqttClient(Socket socket, MqttVersion version) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.version = version;
    }

    /** Opens a TCP connection; sends nothing. */
    public static RawMqttClient connect(InetSocketAddress server, MqttVersion version, Duration timeout)
            throws IOException {
        return connectFrom(null, server, version, timeout);
    }

    /**
     * Opens a TCP connection from the local address {@code local} (any port; null: the system's
     * choice), e.g. {@code 127.0.0.2} to be another source than {@code 127.0.0.1}; sends nothing.
     */
    public static RawMqttClient connectFrom(java.net.InetAddress local, InetSocketAddress server, MqttVersion version,
                                            Duration timeout) throws IOException {
        Objects.requireNonNull(version, "version");
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            if (local != null) {
                socket.bind(new InetSocketAddress(local, 0));
            }
            socket.connect(server, timeoutMillis(timeout));
            return new RawMqttClient(socket, version);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    public static RawMqttClient connect(String host, int port, MqttVersion version) throws IOException {
        return connect(new InetSocketAddress(host, port), version, Duration.ofSeconds(5));
    }

    public MqttVersion version() {
        return version;
    }

    /** Encodes {@code packet} in this client's version (a CONNECT in its own) and sends it. */
    public void send(MqttPacket packet) throws IOException {
        byte[] bytes = new byte[PacketWriter.encodedSize(packet, version)];
        PacketWriter.write(packet, version, Unpooled.wrappedBuffer(bytes).clear());
        sendRaw(bytes);
    }

    /** Sends {@code bytes} as they are. */
    public void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /**
     * The next packet from the server.
     *
     * @throws SocketTimeoutException when no whole packet arrives within {@code timeout}
     * @throws EOFException when the server closed the connection first
     * @throws IOException when the server sent something that is not a valid packet in this version; the
     *     message says what
     */
    public MqttPacket receive(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            MqttPacket packet = nextBufferedPacket();
            if (packet != null) {
                return packet;
            }
            if (endOfStream) {
                throw new EOFException("the server closed the connection"
                        + (received.isReadable() ? " in the middle of a packet" : ""));
            }
            readSome(deadline);
        }
    }

    /**
     * Waits until the server closes the connection (end of stream or reset). Bytes that arrive meanwhile
     * stay buffered for {@link #receive}.
     *
     * @return true if the server closed it within {@code timeout}, false if it is still open
     */
    public boolean awaitClosed(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (!endOfStream) {
                readSome(deadline);
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            endOfStream = true; // reset by the peer: closed, just less politely
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        try {
            socket.close();
        } finally {
            if (received.refCnt() > 0) {
                received.release();
            }
        }
    }

    private MqttPacket nextBufferedPacket() throws IOException {
        if (received.readableBytes() < 2) {
            return null;
        }
        int start = received.readerIndex();
        int firstByte = received.getUnsignedByte(start);
        PacketType type = PacketType.of(firstByte >>> 4);
        int remainingLength;
        try {
            remainingLength = PacketReader.remainingLength(received, start + 1);
        } catch (RuntimeException e) {
            throw new IOException("malformed fixed header from the server: " + e.getMessage(), e);
        }
        if (remainingLength < 0) {
            return null;
        }
        int packetBytes = PacketReader.packetBytes(remainingLength);
        if (packetBytes > MAX_PACKET_BYTES) {
            throw new IOException("the server announced a " + type + " of " + packetBytes + " bytes");
        }
        if (received.readableBytes() < packetBytes) {
            return null;
        }
        ByteBuf frame = received.slice(start + packetBytes - remainingLength, remainingLength);
        try {
            return PacketReader.read(firstByte, frame, version);
        } catch (RuntimeException e) {
            throw new IOException("malformed " + type + " from the server: " + e.getMessage(), e);
        } finally {
            received.skipBytes(packetBytes);
            received.discardReadBytes();
        }
    }

    private void readSome(long deadlineNanos) throws IOException {
        long leftMillis = (deadlineNanos - System.nanoTime() + 999_999) / 1_000_000;
        if (leftMillis <= 0) {
            throw new SocketTimeoutException("nothing more from the server in time");
        }
        socket.setSoTimeout((int) Math.min(leftMillis, Integer.MAX_VALUE));
        int n = in.read(chunk);
        if (n < 0) {
            endOfStream = true;
        } else {
            received.writeBytes(chunk, 0, n);
        }
    }

    private static int timeoutMillis(Duration timeout) {
        return Math.clamp(timeout.toMillis(), 1, Integer.MAX_VALUE);
    }
}
