package io.ratatoskr.grpc;

import io.grpc.ServerCall;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A call listener that stands in while the real one does not exist yet (the call is being
 * authenticated): it keeps the transport's events (messages, half-close, cancel, ready, complete) in
 * order and, once {@link #start} hands it the real listener, replays them into it and then passes
 * later events straight through. Nothing waits: no thread is held while the listener is missing.
 *
 * <p>gRPC delivers a call's events one at a time; this keeps that promise to the real listener. The
 * replay runs on the thread that calls {@link #start} while new events may arrive on the call's own
 * executor: an event that arrives during the replay is queued and replayed by the same loop, and
 * events pass straight through only once the queue was found empty under the lock.
 *
 * <p>Thread-safety: thread-safe; the queue and the pass-through switch are guarded by {@code lock}.
 * The pending events are bounded by gRPC's flow control: the call requests no message until it is
 * started, so at most the lifecycle events (ready, half-close, cancel, complete) wait here.
 */
final class DelayedServerListener<Q> extends ServerCall.Listener<Q> {
    private final Object lock = new Object();
    private List<Consumer<ServerCall.Listener<Q>>> pending = new ArrayList<>(4); // guarded by lock
    private boolean passThrough; // guarded by lock
    private volatile ServerCall.Listener<Q> delegate;

    /** Hands over the real listener; replays what arrived so far. Called once. */
    void start(ServerCall.Listener<Q> listener) {
        delegate = listener;
        while (true) {
            List<Consumer<ServerCall.Listener<Q>>> batch;
            synchronized (lock) {
                if (pending.isEmpty()) {
                    passThrough = true;
                    pending = null;
                    return;
                }
                batch = pending;
                pending = new ArrayList<>(4);
            }
            for (Consumer<ServerCall.Listener<Q>> event : batch) {
                event.accept(listener);
            }
        }
    }

    private void deliver(Consumer<ServerCall.Listener<Q>> event) {
        synchronized (lock) {
            if (!passThrough) {
                pending.add(event);
                return;
            }
        }
        event.accept(delegate);
    }

    @Override
    public void onMessage(Q message) {
        deliver(l -> l.onMessage(message));
    }

    @Override
    public void onHalfClose() {
        deliver(ServerCall.Listener::onHalfClose);
    }

    @Override
    public void onCancel() {
        deliver(ServerCall.Listener::onCancel);
    }

    @Override
    public void onComplete() {
        deliver(ServerCall.Listener::onComplete);
    }

    @Override
    public void onReady() {
        deliver(ServerCall.Listener::onReady);
    }
}
