package io.ratatoskr.log;

import io.ratatoskr.log.segment.LogSegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Chooses which whole segments retention deletes: the longest prefix of sealed segments (never the
 * active one) each of which breaks a limit.
 *
 * <ul>
 *   <li>Age: the segment's newest record is older than {@code retentionMaxAgeMs} (an empty sealed
 *       segment counts as expired).
 *   <li>Bytes: the log would still hold at least {@code retentionMaxBytes} without it.
 *   <li>Messages: at least {@code retentionMaxMessages} offsets would remain without it (offsets, not
 *       records: in a compacted log it counts the gaps too).
 * </ul>
 *
 * <p>Thread-safety: stateless.
 */
final class Retention {

    private Retention() {}

    static List<LogSegment> select(
            List<LogSegment> sealed, long totalBytes, long nextOffset, LogConfig config, long nowMs,
            LogSegment active) {
        List<LogSegment> victims = new ArrayList<>();
        if (!config.cleanupPolicy().deletes()) {
            return victims;
        }
        long remainingBytes = totalBytes;
        for (int i = 0; i < sealed.size(); i++) {
            LogSegment s = sealed.get(i);
            long nextBase = i + 1 < sealed.size() ? sealed.get(i + 1).baseOffset() : active.baseOffset();
            boolean expired =
                    config.retentionMaxAgeMs() > 0
                            && (s.maxTimestampMs() < 0 || nowMs - s.maxTimestampMs() > config.retentionMaxAgeMs());
            boolean tooBig =
                    config.retentionMaxBytes() > 0 && remainingBytes - s.size() >= config.retentionMaxBytes();
            boolean tooMany =
                    config.retentionMaxMessages() > 0 && nextOffset - nextBase >= config.retentionMaxMessages();
            if (!(expired || tooBig || tooMany)) {
                break;
            }
            victims.add(s);
            remainingBytes -= s.size();
        }
        return victims;
    }
}
