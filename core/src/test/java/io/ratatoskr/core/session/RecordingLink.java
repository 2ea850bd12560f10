package io.ratatoskr.core.session;

import java.util.ArrayList;
import java.util.List;

/** A {@link SessionLink} that records what the session sends. */
final class RecordingLink implements SessionLink {
    record Sent(String kind, String topic, int qos, int packetId, boolean dup, boolean retain, int[] subscriptionIds,
                long expirySeconds, String payload) {
    }

    final String name;
    final List<Sent> sent = new ArrayList<>();
    boolean writable = true;
    long maxPacketPayload = Long.MAX_VALUE;
    boolean takenOver;
    int flushes;

    RecordingLink(String name) {
        this.name = name;
    }

    @Override
    public boolean sendPublish(Delivery d, int packetId, boolean dup, long expirySeconds) {
        if (d.message().payload().length > maxPacketPayload) {
            return false;
        }
        sent.add(new Sent("PUBLISH", d.message().topic(), d.qos(), packetId, dup, d.retain(), d.subscriptionIds(),
                expirySeconds, new String(d.message().payload(), java.nio.charset.StandardCharsets.UTF_8)));
        return true;
    }

    @Override
    public void sendPubRel(int packetId) {
        sent.add(new Sent("PUBREL", null, 0, packetId, false, false, null, -1, null));
    }

    @Override
    public void flush() {
        flushes++;
    }

    @Override
    public boolean isWritable() {
        return writable;
    }

    @Override
    public void takenOver() {
        takenOver = true;
    }

    @Override
    public String describe() {
        return name;
    }

    List<Sent> publishes() {
        return sent.stream().filter(s -> s.kind().equals("PUBLISH")).toList();
    }

    List<String> payloads() {
        return publishes().stream().map(Sent::payload).toList();
    }

    void clear() {
        sent.clear();
    }
}
