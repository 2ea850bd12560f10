/**
 * Idle-connection capacity: {@link io.ratatoskr.bench.conn.IdleConnections} opens many MQTT connections that
 * only keep alive, from several loopback source addresses, and measures what they cost the broker (heap after
 * a full GC, resident memory, CPU at idle) through {@link io.ratatoskr.bench.conn.BrokerProbe}.
 */
package io.ratatoskr.bench.conn;
