/**
 * The MQTT load generator and its comparison report.
 *
 * <p>Entry points: {@link io.ratatoskr.bench.mqtt.MqttLoad} (command line, one run against one broker),
 * {@link io.ratatoskr.bench.mqtt.LoadRun} (the same, from code), and
 * {@link io.ratatoskr.bench.mqtt.CompareReport} (medians and ratios over the JSON results of many runs).
 * A run is described by a {@link io.ratatoskr.bench.mqtt.LoadSpec} (with a
 * {@link io.ratatoskr.bench.mqtt.DurableSpec} for durable topics and consumer groups); who publishes where and
 * who receives what by a {@link io.ratatoskr.bench.mqtt.TopicLayout}. Receivers count what they get in a
 * {@link io.ratatoskr.bench.mqtt.Tally}, and {@link io.ratatoskr.bench.mqtt.Totals} adds up a run — for the
 * Kafka generator ({@code io.ratatoskr.bench.kafka}) as well, so that both are judged alike.
 *
 * <p>Threading: each connection is a Netty handler confined to its event loop; the run's driving thread
 * talks to them only through event loop tasks and a few volatile progress counters.
 */
package io.ratatoskr.bench.mqtt;
