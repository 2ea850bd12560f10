package io.ratatoskr.testkit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A {@link FileChannel} that delegates to a real one and fails on cue, as its {@link Faults} say:
 * writes that throw, writes that write only part of their bytes and then throw (a torn write),
 * writes that report a full disk (ENOSPC), fsyncs that throw, and fsyncs or a read held back until
 * released.
 *
 * <p>Thread-safety: as thread-safe as the delegate; the faults are volatile flags, the fsync hold a
 * monitor.
 */
public final class FaultyFileChannel extends FileChannel {

    /** What goes wrong, shared by every channel of one test. */
    public static final class Faults {
        /** How a write fails. */
        public enum WriteFault {
            NONE,
            IO_ERROR,
            SHORT_WRITE,
            DISK_FULL
        }

        private volatile WriteFault writeFault = WriteFault.NONE;
        private volatile boolean failForce;
        private volatile long writesBeforeFault;
        private volatile long fileBytesMax = -1;
        private boolean holdForce;
        private int forcesHeld;
        private boolean holdNextRead;
        private boolean readHeld;

        /** Makes writes fail the given way, after {@code okWrites} more successful writes. */
        public Faults failWrites(WriteFault fault, long okWrites) {
            this.writesBeforeFault = okWrites;
            this.writeFault = fault;
            return this;
        }

        /**
         * Models a disk that fills at {@code bytes}: a positional write that would end past that many
         * bytes into its file fails as a full disk would, writes below it go on; -1: no limit.
         */
        public Faults fillDiskAt(long bytes) {
            this.fileBytesMax = bytes;
            return this;
        }

        /** Makes every fsync (force) fail. */
        public Faults failForce(boolean fail) {
            this.failForce = fail;
            return this;
        }

        /**
         * Makes every fsync (force) wait until {@code holdForce(false)} (or {@link #heal()}), so a test
         * can observe what happens while data is written but not yet durable.
         */
        public synchronized Faults holdForce(boolean hold) {
            this.holdForce = hold;
            notifyAll();
            return this;
        }

        /** How many fsyncs are waiting in {@link #holdForce} now. */
        public synchronized int forcesHeld() {
            return forcesHeld;
        }

        /**
         * Makes the next positional read wait until {@link #releaseRead()}: one read only, so that a
         * test can act while a reader is in the middle of its read and others' reads go on.
         */
        public synchronized Faults holdNextRead() {
            holdNextRead = true;
            return this;
        }

        /** Whether a read is waiting in {@link #holdNextRead}. */
        public synchronized boolean readHeld() {
            return readHeld;
        }

        /** Lets the held read go on (and cancels a hold no read has met yet). */
        public synchronized Faults releaseRead() {
            holdNextRead = false;
            readHeld = false;
            notifyAll();
            return this;
        }

        /** Back to normal (held fsyncs and reads go on). */
        public Faults heal() {
            writeFault = WriteFault.NONE;
            fileBytesMax = -1;
            failForce = false;
            holdForce(false);
            releaseRead();
            return this;
        }

        synchronized void awaitRead() throws IOException {
            if (!holdNextRead) {
                return;
            }
            holdNextRead = false;
            readHeld = true;
            try {
                while (readHeld) {
                    wait();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while the read was held");
            }
        }

        synchronized void awaitForce() throws IOException {
            forcesHeld++;
            try {
                while (holdForce) {
                    wait();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while the fsync was held");
            } finally {
                forcesHeld--;
            }
        }

        synchronized WriteFault nextWrite() {
            if (writeFault == WriteFault.NONE) {
                return WriteFault.NONE;
            }
            if (writesBeforeFault > 0) {
                writesBeforeFault--;
                return WriteFault.NONE;
            }
            return writeFault;
        }
    }

    private final FileChannel delegate;
    private final Faults faults;

    public FaultyFileChannel(FileChannel delegate, Faults faults) {
        this.delegate = delegate;
        this.faults = faults;
    }

    private int faultyWrite(ByteBuffer src, long position, boolean positional) throws IOException {
        long max = faults.fileBytesMax;
        if (max >= 0 && positional && position + src.remaining() > max) {
            throw new IOException("No space left on device (injected at " + max + " bytes)");
        }
        switch (faults.nextWrite()) {
            case NONE -> {
                return positional ? delegate.write(src, position) : delegate.write(src);
            }
            case IO_ERROR -> throw new IOException("Input/output error (injected)");
            case DISK_FULL -> throw new IOException("No space left on device (injected)");
            case SHORT_WRITE -> {
                int half = src.remaining() / 2;
                ByteBuffer part = src.duplicate().limit(src.position() + half);
                if (positional) {
                    delegate.write(part, position);
                } else {
                    delegate.write(part);
                }
                throw new IOException("Input/output error after a short write of " + half + " bytes (injected)");
            }
            default -> throw new AssertionError();
        }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return delegate.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        return delegate.read(dsts, offset, length);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return faultyWrite(src, -1, false);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        long n = 0;
        for (int i = offset; i < offset + length; i++) {
            n += write(srcs[i]);
        }
        return n;
    }

    @Override
    public long position() throws IOException {
        return delegate.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        delegate.position(newPosition);
        return this;
    }

    @Override
    public long size() throws IOException {
        return delegate.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        delegate.truncate(size);
        return this;
    }

    @Override
    public void force(boolean metaData) throws IOException {
        faults.awaitForce();
        if (faults.failForce) {
            throw new IOException("fsync failed: Input/output error (injected)");
        }
        delegate.force(metaData);
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        return delegate.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
        return delegate.transferFrom(src, position, count);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        faults.awaitRead();
        return delegate.read(dst, position);
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
        return faultyWrite(src, position, true);
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
        return delegate.map(mode, position, size);
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
        return delegate.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
        return delegate.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
        delegate.close();
    }
}
