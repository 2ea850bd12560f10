package io.ratatoskr.bench.log;

import io.ratatoskr.log.DurabilityMode;
import io.ratatoskr.log.Log;
import io.ratatoskr.log.LogConfig;
import io.ratatoskr.log.Record;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Child process of the recovery benchmark: appends {@code records} records of {@code size} bytes in
 * batches of {@code batch} into one segment, prints DONE and waits to be killed with SIGKILL.
 */
public final class RecoveryChild {

    private RecoveryChild() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int records = Integer.parseInt(args[1]);
        int size = Integer.parseInt(args[2]);
        int batch = Integer.parseInt(args[3]);
        // One big active segment: recovery must scan all of it (the worst case).
        Log log =
                Log.open(
                        dir,
                        LogConfig.builder()
                                .durability(DurabilityMode.ASYNC)
                                .segmentBytesMax(1 << 30)
                                .build());
        List<Record> recs = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            recs.add(Record.of(new byte[size]));
        }
        List<CompletableFuture<?>> inflight = new ArrayList<>();
        for (int n = 0; n < records; n += batch) {
            inflight.add(log.append(recs));
            if (inflight.size() == 256) {
                inflight.forEach(CompletableFuture::join);
                inflight.clear();
            }
        }
        inflight.forEach(CompletableFuture::join);
        // Written to the file (page cache); no clean-shutdown marker: the next open recovers.
        System.out.println("DONE " + log.highWatermark());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
