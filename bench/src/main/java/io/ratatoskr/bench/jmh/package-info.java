/**
 * JMH microbenchmarks of the hot paths: MQTT decode and encode ({@link io.ratatoskr.bench.jmh.CodecBenchmark}),
 * topic matching over 100,000 subscriptions ({@link io.ratatoskr.bench.jmh.TopicMatchBenchmark}), log append
 * ({@link io.ratatoskr.bench.jmh.LogAppendBenchmark}) and consumer-group dispatch
 * ({@link io.ratatoskr.bench.jmh.GroupDispatchBenchmark}). The JMH annotation processor generates their
 * harness into the bench jar; run them with {@code java -jar bench/target/ratatoskr-bench.jar}-style
 * {@code java -cp bench/target/ratatoskr-bench.jar org.openjdk.jmh.Main <regex>} (see bench/README.md).
 */
package io.ratatoskr.bench.jmh;
