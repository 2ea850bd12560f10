package io.ratatoskr.core.durable;

/**
 * The offset a named cursor consumer committed in one partition: where it resumes.
 *
 * <p>Thread-safety: immutable.
 *
 * @param topic         the durable topic
 * @param consumer      the consumer's name
 * @param partition     the partition
 * @param offset        the next offset it will read
 * @param committedAtMs when it was committed
 */
public record CommittedOffset(String topic, String consumer, int partition, long offset, long committedAtMs) {
}
