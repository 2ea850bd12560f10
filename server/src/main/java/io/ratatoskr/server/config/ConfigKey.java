package io.ratatoskr.server.config;

import java.util.Locale;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * One configuration key: its dotted kebab-case name, its type, its meaning, and how it reads from and
 * writes to the {@link ServerSettings} records. Its default is what {@link ServerSettings#DEFAULTS}
 * holds, so the records stay the one source of the defaults.
 *
 * <p>Thread-safety: immutable.
 *
 * @param <T> the value's Java type
 */
public final class ConfigKey<T> {
    /** Every environment variable of a key starts with this. */
    public static final String ENV_PREFIX = "RATATOSKR_";

    private final String name;
    private final ValueType<T> type;
    private final String description;
    private final Function<ServerSettings, T> getter;
    private final BiConsumer<RecordDraft, T> setter;
    private final String defaultText;

    ConfigKey(String name, ValueType<T> type, String description, Function<ServerSettings, T> getter,
              BiConsumer<RecordDraft, T> setter, String defaultText) {
        if (!name.matches("[a-z][a-z0-9]*(-[a-z0-9]+)*(\\.[a-z][a-z0-9]*(-[a-z0-9]+)*)*")) {
            throw new IllegalArgumentException("a key is dotted kebab-case: " + name);
        }
        this.name = name;
        this.type = Objects.requireNonNull(type, "type");
        this.description = Objects.requireNonNull(description, "description");
        this.getter = Objects.requireNonNull(getter, "getter");
        this.setter = Objects.requireNonNull(setter, "setter");
        this.defaultText = defaultText;
    }

    public String name() {
        return name;
    }

    public ValueType<T> type() {
        return type;
    }

    public String description() {
        return description;
    }

    /** {@code RATATOSKR_} + the name upper-cased, with '.' and '-' as '_'. */
    public String envName() {
        return envName(name);
    }

    static String envName(String key) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** The value in {@code settings}. */
    public T get(ServerSettings settings) {
        return getter.apply(settings);
    }

    /** The embedded default. */
    public T defaultValue() {
        return get(ServerSettings.DEFAULTS);
    }

    /**
     * The default as documented: the default value written as in a file, or, for a default that depends
     * on the machine (a thread count), the rule that gives it.
     */
    public String documentedDefault() {
        return defaultText != null ? defaultText : type.format(defaultValue());
    }

    /** Whether the default depends on the machine (so {@link #documentedDefault} is a rule, not a value). */
    public boolean machineDependentDefault() {
        return defaultText != null;
    }

    /** Parses {@code text} and sets it in {@code draft}. */
    void apply(RecordDraft draft, T value) {
        setter.accept(draft, value);
    }

    /** The value as written in a file. */
    public String format(Object value) {
        return type.format(type.javaType().cast(value));
    }

    @Override
    public String toString() {
        return name;
    }
}
