package io.ratatoskr.core.durable.group;

import io.micrometer.core.instrument.MeterRegistry;
import io.ratatoskr.core.durable.TopicDirectory;
import io.ratatoskr.core.trace.Tracing;
import io.ratatoskr.log.LogEnvironment;
import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What every consumer group of one {@link ConsumerGroups} shares.
 *
 * <p>Thread-safety: immutable; the objects it holds are thread-safe.
 *
 * @param topics     finds durable topics (and creates dead-letter topics)
 * @param clock      wall-clock time for deadlines, retries and dead-letter headers
 * @param scheduler  runs the groups' tasks (each group serialized on it) and their timers
 * @param registry   where group meters are registered
 * @param config     limits and timings
 * @param logEnv     the environment of the groups' state logs
 * @param onEnded    told (on the group's thread) when a group ended, to forget it
 * @param tracing    the tracing hook deliveries are reported to (read per delivery: set after opening)
 */
record GroupEnvironment(TopicDirectory topics, Clock clock, ScheduledExecutorService scheduler,
                        MeterRegistry registry, GroupsConfig config, LogEnvironment logEnv,
                        Consumer<ConsumerGroup> onEnded, Supplier<Tracing> tracing) {
}
