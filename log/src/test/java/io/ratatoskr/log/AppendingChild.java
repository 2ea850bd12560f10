package io.ratatoskr.log;

import java.io.BufferedWriter;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * The child process of {@link KillNineTest}: appends records from several threads and prints
 * {@code ACK <offset> <value>} for each acknowledged append, until it is killed.
 *
 * <p>Arguments: log directory, durability mode, number of appending threads.
 */
public final class AppendingChild {

    private AppendingChild() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        DurabilityMode mode = DurabilityMode.valueOf(args[1]);
        int threads = Integer.parseInt(args[2]);
        LogConfig config =
                LogConfig.builder().durability(mode).segmentBytesMax(256 * 1024).maxBatchBytes(64 * 1024).build();
        BufferedWriter out =
                new BufferedWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.out), StandardCharsets.UTF_8));
        Log log = Log.open(dir, config);
        synchronized (out) {
            out.write("READY\n");
            out.flush();
        }
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread.ofPlatform().start(() -> {
                for (int i = 0; ; i++) {
                    String value = "t" + id + "-" + i + "-" + "p".repeat(i % 50);
                    AppendResult r = log.append(List.of(Record.of(TestLogs.bytes(value)))).join();
                    synchronized (out) {
                        try {
                            out.write("ACK " + r.baseOffset() + " " + value + "\n");
                            out.flush();
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }
                }
            });
        }
        Thread.currentThread().join();
    }
}
