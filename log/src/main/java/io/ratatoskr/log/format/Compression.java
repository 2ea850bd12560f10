package io.ratatoskr.log.format;

import com.github.luben.zstd.Zstd;
import io.ratatoskr.log.CompressionCodec;
import io.ratatoskr.log.CorruptRecordException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import org.xerial.snappy.Snappy;

/**
 * Block compression of a batch's records section with well-kept libraries: lz4-java, zstd-jni,
 * snappy-java and the JDK's gzip. Each call compresses or decompresses one whole block; the
 * uncompressed length is stored by the caller (see {@link BatchFormat}).
 *
 * <p>Thread-safety: stateless; the codec objects used are thread-safe.
 */
public final class Compression {

    private static final int ZSTD_LEVEL = 3;

    private Compression() {}

    /** Compresses {@code src[0, length)} with {@code codec} (not {@link CompressionCodec#NONE}). */
    public static byte[] compress(CompressionCodec codec, byte[] src, int length) {
        try {
            return switch (codec) {
                case NONE -> throw new IllegalArgumentException("NONE does not compress");
                case GZIP -> gzip(src, length);
                case SNAPPY -> {
                    byte[] out = new byte[Snappy.maxCompressedLength(length)];
                    int n = Snappy.compress(src, 0, length, out, 0);
                    yield java.util.Arrays.copyOf(out, n);
                }
                case LZ4 -> {
                    LZ4Compressor c = Lz4.FACTORY.fastCompressor();
                    byte[] out = new byte[c.maxCompressedLength(length)];
                    int n = c.compress(src, 0, length, out, 0, out.length);
                    yield java.util.Arrays.copyOf(out, n);
                }
                case ZSTD -> {
                    byte[] out = new byte[(int) Zstd.compressBound(length)];
                    long n = Zstd.compressByteArray(out, 0, out.length, src, 0, length, ZSTD_LEVEL);
                    if (Zstd.isError(n)) {
                        throw new IllegalStateException("zstd: " + Zstd.getErrorName(n));
                    }
                    yield java.util.Arrays.copyOf(out, (int) n);
                }
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Decompresses {@code src[offset, offset + length)} to exactly {@code uncompressedLength} bytes; any
     * other outcome is a {@link CorruptRecordException}.
     */
    public static byte[] decompress(
            CompressionCodec codec, byte[] src, int offset, int length, int uncompressedLength) {
        byte[] out = new byte[uncompressedLength];
        try {
            int n =
                    switch (codec) {
                        case NONE -> throw new IllegalArgumentException("NONE does not decompress");
                        case GZIP -> gunzip(src, offset, length, out);
                        case SNAPPY -> {
                            if (Snappy.uncompressedLength(src, offset, length) != uncompressedLength) {
                                throw new CorruptRecordException("snappy block has the wrong uncompressed length");
                            }
                            yield Snappy.uncompress(src, offset, length, out, 0);
                        }
                        case LZ4 -> {
                            // The safe decompressor is bounded by the source length as well as the output:
                            // a CRC-valid but hostile block must not make it read past its input.
                            yield Lz4.FACTORY.safeDecompressor()
                                    .decompress(src, offset, length, out, 0, uncompressedLength);
                        }
                        case ZSTD -> {
                            long r = Zstd.decompressByteArray(out, 0, out.length, src, offset, length);
                            if (Zstd.isError(r)) {
                                throw new CorruptRecordException("zstd: " + Zstd.getErrorName(r));
                            }
                            yield (int) r;
                        }
                    };
            if (n != uncompressedLength) {
                throw new CorruptRecordException(
                        codec + " block decompressed to " + n + " bytes, expected " + uncompressedLength);
            }
            return out;
        } catch (IOException | RuntimeException e) {
            if (e instanceof CorruptRecordException c) {
                throw c;
            }
            throw new CorruptRecordException(codec + " block does not decompress: " + e, e);
        }
    }

    private static byte[] gzip(byte[] src, int length) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(Math.max(64, length / 2));
        try (GZIPOutputStream out = new GZIPOutputStream(bytes, 8192)) {
            out.write(src, 0, length);
        }
        return bytes.toByteArray();
    }

    private static int gunzip(byte[] src, int offset, int length, byte[] out) throws IOException {
        try (InputStream in =
                new GZIPInputStream(new java.io.ByteArrayInputStream(src, offset, length), 8192)) {
            int n = in.readNBytes(out, 0, out.length);
            if (in.read() != -1) {
                throw new CorruptRecordException("gzip block is longer than its declared length");
            }
            return n;
        }
    }

    /** Lazily initialised so that a log without lz4 never loads its native library. */
    private static final class Lz4 {
        static final LZ4Factory FACTORY = LZ4Factory.fastestInstance();
    }
}
