package io.ratatoskr.server.config;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;

/**
 * A mutable copy of a tree of immutable config records, changed component by component through dotted
 * paths of record component names ({@code server.mqtt.maxPacketSize}) and built back at the end, so
 * that each record's constructor validates the finished values together (a low-water mark raised with
 * its high-water mark is never checked against the old high one). This is what lets a configuration key
 * be declared in one line of {@link ConfigKeys}: the record fields stay the single place for the
 * structure and the validation of every setting.
 *
 * <p>A nested record that is null (gRPC TLS off by default) comes into being when one of its components
 * is set; {@link #disable} makes one null for good (gRPC off).
 *
 * <p>Thread-safety: not thread-safe; confined to the loading thread.
 */
final class RecordDraft {
    private enum Presence { PRESENT, ABSENT, DISABLED }

    private final Class<? extends Record> type;
    private final RecordComponent[] components;
    /** The component values; a component of a record type holds a {@code RecordDraft}. */
    private final Object[] values;
    private Presence presence;

    private RecordDraft(Class<? extends Record> type, Record value) {
        this.type = type;
        this.components = type.getRecordComponents();
        this.values = new Object[components.length];
        this.presence = value == null ? Presence.ABSENT : Presence.PRESENT;
        for (int i = 0; i < components.length; i++) {
            Object v = value == null ? null : read(value, components[i]);
            values[i] = isRecord(components[i].getType()) ? new RecordDraft(recordType(components[i]), (Record) v) : v;
        }
    }

    /** A draft of {@code value} (a record whose nested records are drafted too). */
    static RecordDraft of(Record value) {
        return new RecordDraft(value.getClass(), value);
    }

    /** Sets the component at {@code path}; a non-null value brings absent records on the way into being. */
    void set(String path, Object value) {
        String[] parts = path.split("\\.");
        RecordDraft draft = this;
        for (int i = 0; i < parts.length; i++) {
            if (value != null && draft.presence == Presence.ABSENT) {
                draft.presence = Presence.PRESENT;
            }
            int index = draft.index(parts[i], path);
            if (i == parts.length - 1) {
                draft.values[index] = value;
            } else {
                draft = (RecordDraft) draft.values[index];
            }
        }
    }

    /** Makes the record at {@code path} null in the result, whatever is set inside it afterwards. */
    void disable(String path) {
        RecordDraft draft = this;
        for (String part : path.split("\\.")) {
            draft = (RecordDraft) draft.values[draft.index(part, path)];
        }
        draft.presence = Presence.DISABLED;
    }

    /**
     * The records, each built by its canonical constructor.
     *
     * @throws IllegalArgumentException with the constructor's message when a record refuses its values
     */
    Record build() {
        if (presence != Presence.PRESENT) {
            return null;
        }
        Object[] args = new Object[values.length];
        Class<?>[] types = new Class<?>[values.length];
        for (int i = 0; i < values.length; i++) {
            args[i] = values[i] instanceof RecordDraft d ? d.build() : values[i];
            types[i] = components[i].getType();
        }
        try {
            Constructor<? extends Record> constructor = type.getDeclaredConstructor(types);
            return constructor.newInstance(args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            throw new IllegalArgumentException(cause.getMessage() == null ? cause.toString() : cause.getMessage(),
                    cause);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot build " + type.getName(), e);
        }
    }

    /** The value at {@code path} in {@code root}; null if a record on the way is null. */
    static Object read(Record root, String path) {
        Object current = root;
        for (String part : path.split("\\.")) {
            if (current == null) {
                return null;
            }
            Record r = (Record) current;
            current = read(r, component(r.getClass(), part, path));
        }
        return current;
    }

    /** The declared type at {@code path} below the record type {@code root}; fails if there is none. */
    static Class<?> typeAt(Class<? extends Record> root, String path) {
        Class<?> current = root;
        for (String part : path.split("\\.")) {
            if (!isRecord(current)) {
                throw new IllegalArgumentException(path + ": " + current.getSimpleName() + " is not a record");
            }
            current = component(recordClass(current), part, path).getType();
        }
        return current;
    }

    private int index(String name, String path) {
        for (int i = 0; i < components.length; i++) {
            if (components[i].getName().equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException(path + ": " + type.getSimpleName() + " has no component " + name
                + " (it has " + Arrays.stream(components).map(RecordComponent::getName).toList() + ")");
    }

    private static RecordComponent component(Class<? extends Record> type, String name, String path) {
        for (RecordComponent c : type.getRecordComponents()) {
            if (c.getName().equals(name)) {
                return c;
            }
        }
        throw new IllegalArgumentException(path + ": " + type.getSimpleName() + " has no component " + name);
    }

    private static Object read(Record r, RecordComponent c) {
        try {
            return c.getAccessor().invoke(r);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + c, e);
        }
    }

    private static boolean isRecord(Class<?> c) {
        return Record.class.isAssignableFrom(c);
    }

    @SuppressWarnings("unchecked")
    private static Class<? extends Record> recordClass(Class<?> c) {
        return (Class<? extends Record>) c;
    }

    private static Class<? extends Record> recordType(RecordComponent c) {
        return recordClass(c.getType());
    }
}
