package io.ratatoskr.bench.mqtt;

import java.util.Arrays;

/**
 * What one receiver has seen of each publisher's messages, by sequence number: tells a new message from a
 * repeat, and counts the new ones.
 *
 * <ul>
 *   <li>{@link #inOrder}: for a subscriber that gets every message of a publisher on one topic, which MQTT
 *       delivers in order (§4.6): a sequence number not above the last one is a repeat. Constant memory.</li>
 *   <li>{@link #seenSet}: for a member of a consumer group, which gets some of a publisher's messages, from
 *       several partitions, in no global order: a bit per sequence number. Members' sets are merged after the
 *       run ({@link SeenSet#addAll}) to count what the group as a whole received once, twice, or never.</li>
 * </ul>
 *
 * <p>Not thread-safe: confined to the receiver's thread, read by others once it has stopped.
 */
public abstract sealed class Receipts permits Receipts.InOrder, Receipts.SeenSet {
    /** Sequence numbers at or above this are refused (a garbled payload), so a set cannot grow without bound. */
    public static final int MAX_SEQUENCE = 1 << 28;

    final int publishers;
    long unique;

    private Receipts(int publishers) {
        if (publishers < 0) {
            throw new IllegalArgumentException("publishers must not be negative, got " + publishers);
        }
        this.publishers = publishers;
    }

    public static Receipts inOrder(int publishers) {
        return new InOrder(publishers);
    }

    public static SeenSet seenSet(int publishers) {
        return new SeenSet(publishers);
    }

    /** Whether {@code publisher} and {@code sequence} can be recorded at all. */
    public final boolean accepts(int publisher, int sequence) {
        return publisher >= 0 && publisher < publishers && sequence >= 0 && sequence < MAX_SEQUENCE;
    }

    /**
     * Records a receipt; true when it is new.
     *
     * @throws IllegalArgumentException unless {@link #accepts} the pair
     */
    public abstract boolean record(int publisher, int sequence);

    /** New messages recorded so far. */
    public final long unique() {
        return unique;
    }

    final void check(int publisher, int sequence) {
        if (!accepts(publisher, sequence)) {
            throw new IllegalArgumentException("publisher " + publisher + " of " + publishers + ", sequence "
                    + sequence);
        }
    }

    /** New when above every earlier sequence number of the same publisher. */
    public static final class InOrder extends Receipts {
        private final int[] next;

        private InOrder(int publishers) {
            super(publishers);
            this.next = new int[publishers];
        }

        @Override
        public boolean record(int publisher, int sequence) {
            check(publisher, sequence);
            if (sequence >= next[publisher]) {
                next[publisher] = sequence + 1;
                unique++;
                return true;
            }
            return false;
        }
    }

    /** New when its bit was not set yet; one growable bit set per publisher. */
    public static final class SeenSet extends Receipts {
        private static final long[] EMPTY = new long[0];
        private final long[][] bits;

        private SeenSet(int publishers) {
            super(publishers);
            this.bits = new long[publishers][];
            Arrays.fill(bits, EMPTY);
        }

        @Override
        public boolean record(int publisher, int sequence) {
            check(publisher, sequence);
            long[] words = bits[publisher];
            int word = sequence >>> 6;
            if (word >= words.length) {
                words = Arrays.copyOf(words, Math.max(word + 1, words.length * 2));
                bits[publisher] = words;
            }
            long mask = 1L << sequence;
            if ((words[word] & mask) != 0) {
                return false;
            }
            words[word] |= mask;
            unique++;
            return true;
        }

        /** Whether {@code sequence} of {@code publisher} was recorded. */
        public boolean seen(int publisher, int sequence) {
            long[] words = bits[publisher];
            int word = sequence >>> 6;
            return word < words.length && (words[word] & (1L << sequence)) != 0;
        }

        /** Adds what {@code other} saw; {@link #unique()} then counts the union. */
        public void addAll(SeenSet other) {
            if (other.publishers != publishers) {
                throw new IllegalArgumentException("sets of " + publishers + " and " + other.publishers
                        + " publishers");
            }
            for (int p = 0; p < publishers; p++) {
                long[] theirs = other.bits[p];
                long[] mine = bits[p];
                if (theirs.length > mine.length) {
                    mine = Arrays.copyOf(mine, theirs.length);
                    bits[p] = mine;
                }
                for (int w = 0; w < theirs.length; w++) {
                    long added = theirs[w] & ~mine[w];
                    if (added != 0) {
                        unique += Long.bitCount(added);
                        mine[w] |= added;
                    }
                }
            }
        }
    }
}
