package io.ratatoskr.mqtt.server;

import java.net.URI;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which browser pages may open MQTT-over-WebSocket connections, by the {@code Origin} header of the
 * upgrade request (RFC 6455 §4.2.1, §10.2). Browsers send it on every WebSocket; other clients may
 * not. Without the check any web page a user visits could connect through the user's browser to a
 * broker that browser reaches (an intranet broker, anonymous access, a client certificate the browser
 * presents by itself).
 *
 * <ul>
 *   <li>a request without {@code Origin} is accepted (not a browser; it holds no one else's ambient
 *       credentials);</li>
 *   <li>{@code *}: every origin is accepted;</li>
 *   <li>a list ({@code https://app.example.com, http://localhost:3000}): exactly those origins
 *       (scheme, host and port, compared without case; a default port may be left out), {@code null}
 *       for pages without an origin (files, sandboxed frames);</li>
 *   <li>no list (the default): only pages of the broker's own host name — the {@code Origin}'s host
 *       equals the host of the request's {@code Host} header, whatever the port — which keeps out
 *       other sites but not a DNS-rebinding attack: list the origins on an exposed listener.</li>
 * </ul>
 *
 * <p>Thread-safety: immutable.
 */
public final class WebSocketOrigins {
    /** The default: pages of the broker's own host name only. */
    public static final WebSocketOrigins SAME_HOST = new WebSocketOrigins(false, Set.of());
    /** Every origin. */
    public static final WebSocketOrigins ANY = new WebSocketOrigins(true, Set.of());

    private final boolean any;
    /** Normalised origins; empty with {@code any} false: same host only. */
    private final Set<String> allowed;

    private WebSocketOrigins(boolean any, Set<String> allowed) {
        this.any = any;
        this.allowed = allowed;
    }

    /**
     * Parses {@code spec}: null or blank for {@link #SAME_HOST}, {@code *} for {@link #ANY}, else origins
     * separated by commas or white space.
     *
     * @throws IllegalArgumentException an entry that is not {@code scheme://host[:port]} or {@code null}
     */
    public static WebSocketOrigins parse(String spec) {
        if (spec == null || spec.isBlank()) {
            return SAME_HOST;
        }
        if (spec.trim().equals("*")) {
            return ANY;
        }
        Set<String> origins = new TreeSet<>();
        for (String entry : spec.trim().split("[,\\s]+")) {
            String normalised = normalise(entry);
            if (normalised == null) {
                throw new IllegalArgumentException("'" + entry + "' is not an origin: write scheme://host[:port] "
                        + "(e.g. https://app.example.com), null, or * alone for any");
            }
            origins.add(normalised);
        }
        return new WebSocketOrigins(false, Set.copyOf(origins));
    }

    /**
     * Whether an upgrade request with {@code origin} (null: none sent) and {@code host} (the
     * {@code Host} header, or null) may proceed.
     */
    public boolean allows(String origin, String host) {
        if (origin == null || any) {
            return true;
        }
        String normalised = normalise(origin);
        if (normalised == null) {
            return false;
        }
        if (!allowed.isEmpty()) {
            return allowed.contains(normalised);
        }
        if (normalised.equals("null") || host == null) {
            return false;
        }
        return URI.create(normalised).getHost().equalsIgnoreCase(hostName(host));
    }

    /** {@code scheme://host[:port]} in lower case without a default port, {@code null} as is; null if malformed. */
    static String normalise(String origin) {
        String o = origin.trim().toLowerCase(Locale.ROOT);
        if (o.equals("null")) {
            return o;
        }
        try {
            URI uri = new URI(o);
            if (uri.getScheme() == null || uri.getHost() == null || (uri.getPath() != null && !uri.getPath().isEmpty())
                    || uri.getQuery() != null || uri.getFragment() != null || uri.getUserInfo() != null) {
                return null;
            }
            int port = uri.getPort();
            boolean defaultPort = port == -1 || (port == 80 && (uri.getScheme().equals("http")
                    || uri.getScheme().equals("ws"))) || (port == 443 && (uri.getScheme().equals("https")
                    || uri.getScheme().equals("wss")));
            return uri.getScheme() + "://" + uri.getHost() + (defaultPort ? "" : ":" + port);
        } catch (java.net.URISyntaxException e) {
            return null;
        }
    }

    /** The host of a {@code Host} header: without the port, an IPv6 literal with its brackets. */
    private static String hostName(String host) {
        String h = host.trim();
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end < 0 ? h : h.substring(0, end + 1);
        }
        int colon = h.indexOf(':');
        return colon < 0 ? h : h.substring(0, colon);
    }

    @Override
    public String toString() {
        return any ? "*" : allowed.isEmpty() ? "same host" : String.join(", ", allowed);
    }
}
