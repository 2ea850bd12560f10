package io.ratatoskr.server.cli;

import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * Where and how {@code pub} and {@code sub} connect over MQTT; a picocli mixin.
 *
 * <p>Thread-safety: confined to the command's thread.
 */
final class MqttOptions {
    @Option(names = "--mqtt-url", paramLabel = "URL",
            defaultValue = "${env:RATATOSKR_MQTT_URL:-tcp://127.0.0.1:1883}",
            description = "MQTT listener of the broker (default: $RATATOSKR_MQTT_URL or ${DEFAULT-VALUE}).")
    String url;

    @Option(names = "--mqtt-version", paramLabel = "5|3.1.1", defaultValue = "5",
            description = "MQTT protocol version: 5 (default) or 3.1.1.")
    String version;

    @Option(names = {"-i", "--client-id"}, description = "MQTT client identifier (default: generated).")
    String clientId;

    @Option(names = {"-u", "--username"}, description = "User name to connect with.")
    String username;

    @Option(names = "--password", description = "Password to connect with (default: $RATATOSKR_PASSWORD).",
            defaultValue = "${env:RATATOSKR_PASSWORD}")
    String password;

    /** True for MQTT 5, false for 3.1.1; a usage error otherwise. */
    boolean v5(CommandLine cli) {
        return switch (version.trim().toLowerCase(Locale.ROOT)) {
            case "5", "5.0", "mqttv5" -> true;
            case "3.1.1", "311", "4", "mqttv311" -> false;
            default -> throw new CommandLine.ParameterException(cli,
                    "--mqtt-version must be 5 or 3.1.1, not '" + version + "'");
        };
    }

    /** The client id to use: the given one, or {@code prefix} and a random suffix. */
    String clientId(String prefix) {
        return clientId != null ? clientId
                : prefix + "-" + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong() >>> 16);
    }
}
