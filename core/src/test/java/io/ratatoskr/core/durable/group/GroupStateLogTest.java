package io.ratatoskr.core.durable.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratatoskr.core.durable.DurableMessage;
import io.ratatoskr.core.message.Message;
import io.ratatoskr.core.message.MessageProperties;
import io.ratatoskr.log.LogEnvironment;
import io.ratatoskr.log.ReadResult;
import io.ratatoskr.log.StoredRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The group state log's buffered writes with held first-delivery records, read back from its files. */
class GroupStateLogTest {
    @TempDir
    Path dir;

    @Test
    void anAcknowledgedHeldDeliveryDoesNotCancelTheTombstoneOfAStaleRecordAtItsOffset() throws Exception {
        GroupStateLog state = GroupStateLog.open(dir, 1 << 20, 1024, LogEnvironment.system());
        try {
            // A restart found a stale record at 0@5 and buffered its tombstone; the message is then read
            // again, delivered (its record held) and acknowledged within the hold.
            state.deleteMessage(0, 5, true);
            PendingMessage m = message(5);
            m.deliveryId = 1;
            state.holdFirstDelivery(m, 1_000);
            state.deleteMessage(m);
            flush(state);
            assertThat(records(state)).containsExactly("m/0/5 (deleted)");
        } finally {
            state.close();
        }
    }

    @Test
    void anAcknowledgedHeldDeliveryWritesNothingAndADueOneIsWrittenBeforeThePartitionRecord() throws Exception {
        GroupStateLog state = GroupStateLog.open(dir, 1 << 20, 1024, LogEnvironment.system());
        try {
            PendingMessage acked = message(0);
            acked.deliveryId = 1;
            PendingMessage slow = message(1);
            slow.deliveryId = 2;
            state.holdFirstDelivery(acked, 1_000);
            state.holdFirstDelivery(slow, 1_010);
            assertThat(state.deliveredEndToPersist(0, 2)).isZero();
            state.deleteMessage(acked);
            assertThat(state.deliveredEndToPersist(0, 2)).isEqualTo(1);
            state.releaseHeld(1_000 + GroupStateLog.HOLD_MS, false); // not yet due: held since 1,010
            assertThat(state.deliveredEndToPersist(0, 2)).isEqualTo(1);
            assertThat(state.nextReleaseMs()).isEqualTo(1_010 + GroupStateLog.HOLD_MS);
            state.releaseHeld(900, false); // the wall clock stepped back: release rather than wait it out
            assertThat(state.deliveredEndToPersist(0, 2)).isEqualTo(2);
            state.putPartition(0, 0, 2);
            flush(state); // one append: the message records first, the partition record after them
            assertThat(records(state)).containsExactly("m/0/1", "p/0");
        } finally {
            state.close();
        }
    }

    /** Writes what is buffered in one append and waits for it. */
    private static void flush(GroupStateLog state) throws Exception {
        assertThat(state.hasPendingWrites()).isTrue();
        CompletableFuture<Void> done = new CompletableFuture<>();
        state.flush(Runnable::run, () -> done.complete(null), done::completeExceptionally);
        done.get(10, TimeUnit.SECONDS);
    }

    private static List<String> records(GroupStateLog state) {
        List<String> out = new ArrayList<>();
        ReadResult r = state.log().read(state.log().logStartOffset(), 1 << 20, 1000);
        for (StoredRecord rec : r.records()) {
            String key = new String(rec.key(), StandardCharsets.UTF_8);
            out.add(rec.isTombstone() ? key + " (deleted)" : key);
        }
        return out;
    }

    private static PendingMessage message(long offset) {
        Message m = new Message("t", new byte[0], 1, false, new MessageProperties(-1, -1, null, null, null, List.of()),
                "p", 0);
        PendingMessage p = new PendingMessage(0, offset, new DurableMessage(UUID.randomUUID(), "t", 0, offset, 0, null, m));
        p.attempts = 1;
        return p;
    }
}
