package io.ratatoskr.log;

/**
 * How the records section of a batch is compressed. The id is stored in the batch attributes and
 * must never change.
 *
 * <p>Thread-safety: immutable.
 */
public enum CompressionCodec {
    NONE(0),
    GZIP(1),
    SNAPPY(2),
    LZ4(3),
    ZSTD(4);

    private final int id;

    CompressionCodec(int id) {
        this.id = id;
    }

    /** The id stored in bits 0-2 of the batch attributes. */
    public int id() {
        return id;
    }

    /** The codec with this id; throws {@link IllegalArgumentException} for an unknown id. */
    public static CompressionCodec ofId(int id) {
        for (CompressionCodec c : values()) {
            if (c.id == id) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown compression codec id " + id);
    }
}
