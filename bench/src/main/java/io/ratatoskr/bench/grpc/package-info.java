/**
 * Load generator for Ratatoskr's gRPC API ({@code ratatoskr.v1}): {@link io.ratatoskr.bench.grpc.GrpcLoad}
 * publishes with unary {@code Publish} or {@code PublishBatch} calls (closed loop or fixed rate) and consumes
 * through a consumer group of {@code Consume} streams, with the MQTT and Kafka generators' payload header,
 * accounting and result format, so that {@code bench/compare-grpc.sh} sets it beside {@code KafkaLoad}.
 *
 * <p>Threading: each publisher's calls are chained on its channel's event loop (direct executor), or paced by a
 * thread of its own at a fixed rate; each member's stream callbacks run serially on its channel's event loop;
 * the run's driving thread reads volatile progress fields.
 */
package io.ratatoskr.bench.grpc;
