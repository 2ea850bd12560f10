package io.ratatoskr.log;

import io.ratatoskr.log.format.BatchEncoder;
import io.ratatoskr.log.format.BatchFormat;
import io.ratatoskr.log.format.RecordBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Writes the seed corpora of {@link LogRecoveryFuzzTest}; the files are committed, so this runs only on
 * demand: {@code ./mvnw -pl log -am test -Dtest=LogFuzzSeeds -Dsurefire.failIfNoSpecifiedTests=false
 * -Dratatoskr.fuzz.seeds=write}.
 */
class LogFuzzSeeds {
    private static final Path ROOT = Path.of("src/test/resources/io/ratatoskr/log/LogRecoveryFuzzTestInputs");
    private static final long START_MS = 1_700_000_000_000L;

    @Test
    @EnabledIfSystemProperty(named = "ratatoskr.fuzz.seeds", matches = "write")
    void writeSeeds() throws IOException {
        byte[] plain = encode(List.of(Record.of(TestLogs.bytes("a")), Record.of(TestLogs.bytes("bb"))),
                CompressionCodec.NONE);
        byte[] keyed = encode(List.of(new Record(TestLogs.bytes("k"), TestLogs.bytes("v"),
                List.of(new Header("h", TestLogs.bytes("x"))), START_MS, null)), CompressionCodec.NONE);
        List<byte[]> batches = List.of(plain, keyed);
        // FuzzedDataProvider takes the boolean (fix the CRC up or not) from the last byte.
        for (CompressionCodec codec : CompressionCodec.values()) {
            byte[] batch = encode(TestLogs.values("value-", 5), codec);
            write("batchDecoderThrowsOnlyCorruptRecord", "seed-" + codec, concat(batch, new byte[] {0}));
        }
        write("batchDecoderThrowsOnlyCorruptRecord", "seed-keyed-fixcrc", concat(keyed, new byte[] {1}));
        // ... and for recovery, whether to fix up each frame's CRC.
        write("recoveryOfAnySegmentKeepsOnlyCrcValidRecords", "seed-two-batches",
                concat(segment(batches), new byte[] {0}));
        byte[] torn = segment(batches);
        write("recoveryOfAnySegmentKeepsOnlyCrcValidRecords", "seed-torn-tail",
                concat(Arrays.copyOf(torn, torn.length - 7), new byte[] {1}));
    }

    /** Batches laid out as a segment from offset 0. */
    private static byte[] segment(List<byte[]> batches) {
        ByteBuffer out = ByteBuffer.allocate(batches.stream().mapToInt(b -> b.length).sum());
        long offset = 0;
        for (byte[] b : batches) {
            ByteBuffer batch = ByteBuffer.wrap(b.clone());
            batch.putLong(BatchFormat.BASE_OFFSET_OFFSET, offset);
            offset += RecordBatch.wrap(batch.duplicate()).recordCount();
            out.put(batch);
        }
        return out.array();
    }

    private static byte[] encode(List<Record> records, CompressionCodec codec) {
        ByteBuffer buf = BatchEncoder.encode(records, codec, START_MS).buffer();
        byte[] bytes = new byte[buf.remaining()];
        buf.get(bytes);
        return bytes;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static void write(String method, String name, byte[] bytes) throws IOException {
        Path dir = ROOT.resolve(method);
        Files.createDirectories(dir);
        Files.write(dir.resolve(name), bytes);
    }
}
