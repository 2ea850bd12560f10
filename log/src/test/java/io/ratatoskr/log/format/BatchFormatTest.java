package io.ratatoskr.log.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ratatoskr.log.CompressionCodec;
import io.ratatoskr.log.CorruptRecordException;
import io.ratatoskr.log.Header;
import io.ratatoskr.log.InvalidRecordException;
import io.ratatoskr.log.Record;
import io.ratatoskr.log.StoredRecord;
import io.ratatoskr.testkit.SeededRandomExtension;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@ExtendWith(SeededRandomExtension.class)
class BatchFormatTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @EnumSource(CompressionCodec.class)
    void batchRoundTripsEveryFieldWithEachCodec(CompressionCodec codec) {
        List<Record> records =
                List.of(
                        new Record(utf8("k1"), utf8("v1"), List.of(new Header("h", utf8("x")), new Header("n", null)), 1_000, utf8("idem")),
                        new Record(null, utf8("v2"), List.of(), 999, null),
                        new Record(utf8("k3"), null, List.of(), 1_005, null));
        EncodedBatch batch = BatchEncoder.encode(records, codec, 5_000);
        batch.assignBaseOffset(42);
        RecordBatch decoded = RecordBatch.wrap(batch.buffer());
        assertThat(decoded.baseOffset()).isEqualTo(42);
        assertThat(decoded.lastOffset()).isEqualTo(44);
        assertThat(decoded.recordCount()).isEqualTo(3);
        assertThat(decoded.codec()).isEqualTo(codec);
        assertThat(decoded.baseTimestamp()).isEqualTo(1_000);
        assertThat(decoded.maxTimestamp()).isEqualTo(1_005);
        assertThat(decoded.isCrcValid()).isTrue();
        List<StoredRecord> out = decoded.records();
        for (int i = 0; i < 3; i++) {
            assertThat(out.get(i).offset()).isEqualTo(42 + i);
            assertThat(out.get(i).toRecord()).isEqualTo(records.get(i));
        }
    }

    @Test
    void missingTimestampIsStampedWithTheAppendTime() {
        EncodedBatch batch = BatchEncoder.encode(List.of(Record.of(utf8("v"))), CompressionCodec.NONE, 777);
        assertThat(RecordBatch.wrap(batch.buffer()).records().get(0).timestampMs()).isEqualTo(777);
    }

    @RepeatedTest(20)
    void anyFlippedBitFailsTheCrc(RandomGenerator random) {
        EncodedBatch batch =
                BatchEncoder.encode(List.of(Record.of(utf8("key"), utf8("some value"))), CompressionCodec.NONE, 1);
        ByteBuffer buf = batch.buffer();
        int at = BatchFormat.CRC_START + random.nextInt(buf.limit() - BatchFormat.CRC_START);
        buf.put(at, (byte) (buf.get(at) ^ (1 << random.nextInt(8))));
        assertThatThrownBy(() -> RecordBatch.wrap(buf).records())
                .isInstanceOf(CorruptRecordException.class);
    }

    @Test
    void recordCountBeyondTheBytesPresentIsCorruptBeforeAnythingIsSizedByIt() {
        ByteBuffer buf = BatchEncoder.encode(List.of(Record.of(utf8("v"))), CompressionCodec.NONE, 1).buffer();
        buf.putInt(BatchFormat.RECORD_COUNT_OFFSET, Integer.MAX_VALUE);
        buf.putInt(BatchFormat.CRC_OFFSET, BatchFormat.crc32c(buf, BatchFormat.CRC_START, buf.limit()));
        assertThatThrownBy(() -> RecordBatch.wrap(buf).records())
                .isInstanceOf(CorruptRecordException.class)
                .hasMessageContaining("record count");
    }

    @Test
    void batchLargerThanTheUncompressedMaximumIsRefusedByTheEncoder() {
        Record big = Record.of(new byte[BatchFormat.MAX_UNCOMPRESSED_BYTES]);
        assertThatThrownBy(() -> BatchEncoder.encode(List.of(big), CompressionCodec.LZ4, 1))
                .isInstanceOf(InvalidRecordException.class);
    }

    @Test
    void unknownVersionIsRejected() {
        ByteBuffer buf = BatchEncoder.encode(List.of(Record.of(utf8("v"))), CompressionCodec.NONE, 1).buffer();
        buf.put(BatchFormat.VERSION_OFFSET, (byte) 9);
        assertThatThrownBy(() -> RecordBatch.wrap(buf))
                .isInstanceOf(CorruptRecordException.class)
                .hasMessageContaining("version");
    }

    @Test
    void overheadIsUnderTwentyPercentAtHundredByteValuesInBatchesOfSixteen() {
        List<Record> records = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            records.add(Record.of(new byte[100]));
        }
        int size = BatchEncoder.encode(records, CompressionCodec.NONE, 1).sizeInBytes();
        double overhead = (size - 1600.0) / 1600.0;
        assertThat(overhead).isLessThan(0.20);
    }

    @RepeatedTest(10)
    void varintsRoundTrip(RandomGenerator random) {
        ByteBuffer buf = ByteBuffer.allocate(16);
        for (int i = 0; i < 1000; i++) {
            int u = random.nextInt() >>> random.nextInt(32);
            buf.clear();
            Varints.putUnsigned(buf, u);
            assertThat(buf.position()).isEqualTo(Varints.sizeOfUnsigned(u));
            assertThat(Varints.getUnsigned(buf.flip())).isEqualTo(u);
            long s = random.nextLong() >> random.nextInt(64);
            buf.clear();
            Varints.putSigned(buf, s);
            assertThat(buf.position()).isEqualTo(Varints.sizeOfSigned(s));
            assertThat(Varints.getSigned(buf.flip())).isEqualTo(s);
        }
    }

    @Test
    void reencodeKeepsOffsetsAndTheBatchRange() {
        EncodedBatch batch =
                BatchEncoder.encode(
                        List.of(Record.of(utf8("a"), utf8("1")), Record.of(utf8("b"), utf8("2")), Record.of(utf8("c"), utf8("3"))),
                        CompressionCodec.LZ4, 10);
        batch.assignBaseOffset(100);
        List<StoredRecord> all = RecordBatch.wrap(batch.buffer()).records();
        ByteBuffer again = BatchEncoder.reencode(100, 2, 10, 10, List.of(all.get(1)), CompressionCodec.LZ4);
        RecordBatch b = RecordBatch.wrap(again);
        assertThat(b.baseOffset()).isEqualTo(100);
        assertThat(b.lastOffset()).isEqualTo(102);
        assertThat(b.records()).containsExactly(all.get(1));
    }
}
