/**
 * Apache Kafka, in-process from the Maven Central jars, as the peer of the storage and durable-topic
 * benchmarks.
 *
 * <p>Entry points: {@link io.ratatoskr.bench.kafka.KafkaNode} (a single-node KRaft broker, in a benchmark's
 * JVM or as a process of its own) and {@link io.ratatoskr.bench.kafka.KafkaLoad} (producers and a consumer
 * group against it, with the MQTT load generator's accounting and result format).
 *
 * <p>Threading: each producer runs on its client's I/O thread (sends chained on acknowledgements); each
 * consumer on a thread of its own; the run's driving thread reads volatile progress fields.
 */
package io.ratatoskr.bench.kafka;
