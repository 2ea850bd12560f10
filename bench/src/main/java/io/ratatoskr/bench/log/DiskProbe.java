package io.ratatoskr.bench.log;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Measures the physical limits of the disk under a directory with dd: sequential write bandwidth
 * with fdatasync at the end ({@code conv=fdatasync}), and the rate of small synchronous writes
 * ({@code oflag=dsync}, 4 KiB).
 *
 * <p>Thread-safety: stateless.
 */
final class DiskProbe {

    private static final Pattern COPIED =
            Pattern.compile("(\\d+) bytes .* copied, ([0-9.,]+) s");

    private DiskProbe() {}

    /** Bytes per second of {@code dd bs=1M count=mib conv=fdatasync}. */
    static double sequentialBytesPerSecond(Path dir, int mib) throws IOException, InterruptedException {
        double[] r = dd(dir, "bs=1M", "count=" + mib, "conv=fdatasync");
        return r[0] / r[1];
    }

    /** Synchronous 4 KiB writes per second of {@code dd bs=4k count=n oflag=dsync}. */
    static double syncWritesPerSecond(Path dir, int count) throws IOException, InterruptedException {
        double[] r = dd(dir, "bs=4k", "count=" + count, "oflag=dsync");
        return count / r[1];
    }

    static String command(Path dir, String... args) {
        return "dd if=/dev/zero of=" + dir.resolve("dd.tmp") + " " + String.join(" ", args);
    }

    private static double[] dd(Path dir, String... args) throws IOException, InterruptedException {
        Path file = dir.resolve("dd.tmp");
        List<String> cmd = new ArrayList<>(List.of("dd", "if=/dev/zero", "of=" + file));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = p.waitFor();
        Files.deleteIfExists(file);
        Matcher m = COPIED.matcher(out);
        if (code != 0 || !m.find()) {
            throw new IOException("dd failed (" + code + "): " + out);
        }
        return new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2).replace(',', '.'))};
    }
}
