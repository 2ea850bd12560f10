package io.ratatoskr.log.segment;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratatoskr.log.ChannelFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IndexTest {

    @TempDir Path dir;

    @Test
    void offsetIndexFindsTheLastEntryAtOrBelowTheTarget() throws Exception {
        OffsetIndex index = new OffsetIndex(dir.resolve("a.index"), 100, 10, ChannelFactory.DEFAULT);
        index.makeWritable();
        index.append(100, 0);
        index.append(110, 4096);
        index.append(125, 8200);
        assertThat(index.lookup(99)).isEqualTo(0);
        assertThat(index.lookup(100)).isEqualTo(0);
        assertThat(index.lookup(115)).isEqualTo(4096);
        assertThat(index.lookup(125)).isEqualTo(8200);
        assertThat(index.lookup(1_000_000)).isEqualTo(8200);
        index.truncateTo(110);
        assertThat(index.entries()).isEqualTo(1);
        assertThat(index.lookup(200)).isEqualTo(0);
    }

    @Test
    void trimmedOffsetIndexReopensWithItsEntries() throws Exception {
        Path file = dir.resolve("b.index");
        OffsetIndex index = new OffsetIndex(file, 0, 100, ChannelFactory.DEFAULT);
        index.makeWritable();
        assertThat(Files.size(file)).isEqualTo(800);
        index.append(0, 0);
        index.append(5, 100);
        index.trim();
        index.flush();
        assertThat(Files.size(file)).isEqualTo(16);
        OffsetIndex again = new OffsetIndex(file, 0, 100, ChannelFactory.DEFAULT);
        assertThat(again.entries()).isEqualTo(2);
        assertThat(again.isSane(200)).isTrue();
        assertThat(again.lookup(7)).isEqualTo(100);
    }

    @Test
    void untrimmedOffsetIndexAfterACrashIsNotSane() throws Exception {
        Path file = dir.resolve("c.index");
        OffsetIndex index = new OffsetIndex(file, 0, 100, ChannelFactory.DEFAULT);
        index.makeWritable();
        index.append(0, 0);
        index.append(5, 100);
        index.flush();
        OffsetIndex reopened = new OffsetIndex(file, 0, 100, ChannelFactory.DEFAULT);
        assertThat(reopened.entries()).isEqualTo(100);
        assertThat(reopened.isSane(200)).isFalse();
    }

    @Test
    void timeIndexPointsBelowTheFirstNewerRecord() throws Exception {
        TimeIndex index = new TimeIndex(dir.resolve("d.timeindex"), 1000, 10, ChannelFactory.DEFAULT);
        index.makeWritable();
        index.maybeAppend(50, 1000);
        index.maybeAppend(40, 1010);
        index.maybeAppend(80, 1020);
        index.maybeAppend(90, 1030);
        assertThat(index.entries()).isEqualTo(3);
        assertThat(index.lookup(10)).isEqualTo(1000);
        assertThat(index.lookup(60)).isEqualTo(1000);
        assertThat(index.lookup(85)).isEqualTo(1020);
        assertThat(index.lastTimestamp()).isEqualTo(90);
        index.truncateTo(1020);
        assertThat(index.lastTimestamp()).isEqualTo(50);
        assertThat(index.isSane()).isTrue();
    }
}
