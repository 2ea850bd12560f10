/**
 * The MQTT 3.1, 3.1.1 and 5.0 wire codec: packets as data ({@link io.ratatoskr.mqtt.codec.MqttPacket}) and
 * the bytes they travel as.
 *
 * <p>Entry points:
 * <ul>
 *   <li>{@link io.ratatoskr.mqtt.codec.MqttDecoder} and {@link io.ratatoskr.mqtt.codec.MqttEncoder}, one
 *       of each per Netty channel. The decoder emits packets, or one
 *       {@link io.ratatoskr.mqtt.codec.DecodeFailure} (with the v5 reason code to answer with) and then
 *       nothing: bad input is a value, never an exception up the pipeline.</li>
 *   <li>{@link io.ratatoskr.mqtt.codec.PacketReader} and {@link io.ratatoskr.mqtt.codec.PacketWriter}, pure
 *       functions over one frame, for code outside a pipeline (test clients, tools).</li>
 * </ul>
 *
 * <p>The codec owns the rules a packet can be checked against alone (framing, flags, UTF-8, property
 * placement and ranges, reason code tables; see {@link io.ratatoskr.mqtt.codec.PacketReader}). Rules that
 * need connection state — direction, a second CONNECT, topic name and filter syntax, topic alias ranges,
 * client identifier length — belong to the connection. The OASIS specifications are the authority;
 * comments cite their sections (§) and normative statements ([MQTT-x.y.z-n], MQTT 5.0 numbering unless
 * marked 3.1.1).
 */
package io.ratatoskr.mqtt.codec;
