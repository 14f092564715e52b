package dev.teamsconnect.core.store;

import dev.teamsconnect.core.error.StateStoreException;
import dev.teamsconnect.core.spi.Hold;
import dev.teamsconnect.core.spi.StateStore;
import dev.teamsconnect.core.spi.TeamsSession;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds in one JSON file (format: see {@code docs/architecture.md}), replaced atomically on every commit:
 * the new content goes to a temporary file in the same directory, which is forced to disk, renamed over the
 * old file with an atomic move, and the directory is forced too where the platform allows it. A crash at any
 * point leaves either the old or the new file, never a mix. The file is created owner-only (POSIX 600) where the
 * file system supports POSIX permissions, because it names users.
 *
 * <p>A missing file is an empty store. A file that cannot be read, is truncated, corrupt, foreign or from a newer
 * version makes {@link #load()} (and the first {@link #commit}) throw {@link StateStoreException} naming the
 * file, what is wrong and the way out; it is never treated as empty and never overwritten.
 *
 * <p>One writer per file: {@link #claim} takes an exclusive lock on {@code <file>.lock} (an OS file lock, so a
 * killed process leaves no stale lock) and holds it until {@link #close()}; a second process that claims the same
 * file is refused with the pid of the first. The file records the PBX its holds belong to; a claim for another PBX
 * is refused while the file holds holds (a file of TeamsConnect 0.1, without that record, is adopted once).
 *
 * <p>Thread-safe.
 */
public final class JsonFileStateStore implements StateStore {

    private static final Logger LOG = LoggerFactory.getLogger(JsonFileStateStore.class);

    /** The atomic rename step; replaceable in tests to simulate a crash between writing and renaming. */
    @FunctionalInterface
    interface Mover {
        void move(Path from, Path to) throws IOException;
    }

    private final Path file;
    private final Mover mover;
    private Map<String, Hold> holds; // null until read
    private Map<String, TeamsSession> sessions = new LinkedHashMap<>(); // as read with the holds
    private String pbx;              // the PBX the file's holds belong to; null when unknown or none
    private int readVersion;         // version of the file as read; 0 when there was no file
    private FileChannel lockChannel;
    private java.nio.channels.FileLock lock;

    public JsonFileStateStore(Path file) {
        this(file, JsonFileStateStore::atomicMove);
    }

    JsonFileStateStore(Path file, Mover mover) {
        this.file = Objects.requireNonNull(file, "file").toAbsolutePath();
        this.mover = mover;
    }

    @Override
    public String id() {
        return "file";
    }

    /** The state file. */
    public Path file() {
        return file;
    }

    @Override
    public synchronized Map<String, Hold> load() {
        holds = readFile();
        if (lock != null) {
            removeTemporaryFilesOfKilledWrites(); // only the writer may: another process may be writing
        }
        return Map.copyOf(holds);
    }

    /** The lock file next to the state file. */
    public Path lockFile() {
        return file.resolveSibling(file.getFileName() + ".lock");
    }

    @Override
    public synchronized void claim(java.util.Optional<String> pbxIdentity) {
        lock();
        if (holds == null) {
            holds = readFile();
        }
        removeTemporaryFilesOfKilledWrites();
        String wanted = pbxIdentity.orElse(null);
        if (wanted == null || wanted.equals(pbx)) {
            return;
        }
        if (pbx == null) {
            if (readVersion == 1) {
                LOG.info("State file {} was written by TeamsConnect 0.1 and names no PBX; adopted for {} ({} hold(s))",
                        file, wanted, holds.size());
            }
        } else if (!holds.isEmpty()) {
            throw new StateStoreException("The state file " + file + " holds " + holds.size() + " hold(s) for the PBX \""
                    + pbx + "\", but this configuration writes to \"" + wanted + "\". TeamsConnect will not restore"
                    + " them on another PBX (it could override a DND that a user there set by hand). Way out: run"
                    + " `teamsconnect release --config FILE` with a configuration for \"" + pbx + "\" to give those"
                    + " users their own DND back, or, if that PBX is gone for good, move the state file away (users"
                    + " held there may need DND switched off by hand).");
        } else {
            LOG.info("State file {} named the PBX {} but holds no holds; now bound to {}", file, pbx, wanted);
        }
        pbx = wanted;
        if (readVersion != 0) {
            // record the binding now, so it is logged only once
            writeFile(StateJsonWriter.write(pbx, holds.values(), sessions.values()));
            readVersion = StateJson.VERSION;
        }
    }

    private void lock() {
        if (lock != null) {
            return;
        }
        Path lockFile = lockFile();
        try {
            Files.createDirectories(file.getParent());
            FileChannel ch = FileChannel.open(lockFile, java.util.Set.of(StandardOpenOption.CREATE,
                    StandardOpenOption.READ, StandardOpenOption.WRITE), ownerOnly(file.getParent()));
            java.nio.channels.FileLock l;
            try {
                l = ch.tryLock();
            } catch (java.nio.channels.OverlappingFileLockException e) {
                l = null; // this JVM holds it already (a second engine in the same process)
            }
            if (l == null) {
                String other = readPid(ch);
                ch.close();
                throw new StateStoreException("The state file " + file + " is in use by another TeamsConnect process"
                        + (other.isEmpty() ? "" : " (pid " + other + ")") + "; two processes on one state file would"
                        + " overwrite each other's holds. Stop the other process first (systemctl stop teamsconnect),"
                        + " or give this one its own state.file.");
            }
            ch.truncate(0);
            ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            ch.force(false);
            lockChannel = ch;
            lock = l;
        } catch (IOException e) {
            throw new StateStoreException("Cannot lock the state file " + file + " (" + lockFile + "): " + e
                    + ". Check the permissions of " + file.getParent() + ".", e);
        }
    }

    private static String readPid(FileChannel ch) {
        try {
            ByteBuffer b = ByteBuffer.allocate(32);
            ch.read(b, 0);
            return new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).strip().replaceAll("[^0-9]", "");
        } catch (IOException e) {
            return "";
        }
    }

    /** Releases the lock of {@link #claim}; the store can be read again, and claimed by another process. */
    @Override
    public synchronized void close() {
        try {
            if (lock != null) {
                lock.release();
            }
            if (lockChannel != null) {
                lockChannel.close();
            }
        } catch (IOException e) {
            LOG.debug("Releasing the lock of {} failed: {}", file, e.toString());
        } finally {
            lock = null;
            lockChannel = null;
        }
    }

    /**
     * A process killed while writing leaves its temporary file behind (the state file itself is intact: the rename
     * never happened). One process per file, so at load time no other writer can own such a file; without this they
     * would pile up, one per crash.
     */
    private void removeTemporaryFilesOfKilledWrites() {
        Path dir = file.getParent();
        String prefix = "." + file.getFileName() + ".";
        if (dir == null || !Files.isDirectory(dir)) {
            return;
        }
        try (java.util.stream.Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String name = p.getFileName().toString();
                if (name.startsWith(prefix) && name.endsWith(".tmp") && Files.isRegularFile(p)) {
                    Files.deleteIfExists(p);
                    LOG.info("Removed {} left behind by an interrupted write of the state file", p);
                }
            }
        } catch (IOException e) {
            LOG.warn("Could not clean up temporary state files in {}: {}", dir, e.toString());
        }
    }

    @Override
    public synchronized void commit(Collection<Hold> upserts, Collection<String> removals) {
        if (holds == null) {
            holds = readFile();
        }
        if (upserts.isEmpty() && removals.isEmpty()) {
            return;
        }
        Map<String, Hold> next = new LinkedHashMap<>(holds);
        removals.forEach(next::remove);
        upserts.forEach(h -> next.put(h.pbxUserId(), h));
        writeFile(StateJsonWriter.write(pbx, next.values(), sessions.values()));
        holds = next;
        readVersion = StateJson.VERSION;
    }

    @Override
    public synchronized Map<String, TeamsSession> loadSessions() {
        if (holds == null) {
            holds = readFile();
        }
        return Map.copyOf(sessions);
    }

    @Override
    public synchronized void commitSessions(Collection<TeamsSession> upserts, Collection<String> removals) {
        if (holds == null) {
            holds = readFile();
        }
        if (upserts.isEmpty() && removals.isEmpty()) {
            return;
        }
        Map<String, TeamsSession> next = new LinkedHashMap<>(sessions);
        removals.forEach(next::remove);
        upserts.forEach(t -> next.put(t.pbxUserId(), t));
        writeFile(StateJsonWriter.write(pbx, holds.values(), next.values()));
        sessions = next;
        readVersion = StateJson.VERSION;
    }

    private Map<String, Hold> readFile() {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            LOG.info("State file {} does not exist yet; starting without holds", file);
            readVersion = 0;
            sessions = new LinkedHashMap<>();
            return new LinkedHashMap<>();
        } catch (IOException e) {
            throw new StateStoreException("Cannot read the state file " + file + ": " + e
                    + ". Fix its permissions or the path (stateStore file).", e);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw corrupt("it is not valid UTF-8 text (truncated or damaged)");
        }
        try {
            StateJson.Document read = StateJson.read(text);
            LOG.info("Loaded {} hold(s) from state file {}", read.holds().size(), file);
            pbx = read.pbx();
            readVersion = read.version();
            sessions = new LinkedHashMap<>(read.sessions());
            return new LinkedHashMap<>(read.holds());
        } catch (StateJson.FormatException e) {
            throw corrupt(e.getMessage());
        }
    }

    private StateStoreException corrupt(String what) {
        return new StateStoreException("The state file " + file + " cannot be used: " + what + ". TeamsConnect will"
                + " not start over it, because it may name users whose DND it must restore. Way out: restore the file"
                + " from a backup, or move it away to start without holds (users currently held may need DND"
                + " switched off by hand).");
    }

    private void writeFile(String content) {
        Path dir = file.getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp", ownerOnly(dir));
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = StandardCharsets.UTF_8.newEncoder().encode(CharBuffer.wrap(content));
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            mover.move(tmp, file);
            tmp = null;
            forceDirectory(dir);
        } catch (IOException e) {
            throw new StateStoreException("Cannot write the state file " + file + ": " + e + ". The previous file is"
                    + " unchanged; check free space and permissions of " + dir + ".", e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException e) {
                    LOG.warn("Could not delete the temporary state file {}: {}", tmp, e.toString());
                }
            }
        }
    }

    private static FileAttribute<?>[] ownerOnly(Path dir) throws IOException {
        if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
            return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))};
        }
        return new FileAttribute<?>[0]; // e.g. Windows: the directory's ACL applies
    }

    private static void atomicMove(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the file system cannot rename atomically; put the state file on a local disk", e);
        }
    }

    private static void forceDirectory(Path dir) {
        // Makes the rename itself durable. Not possible on every platform (Windows cannot open a directory).
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            LOG.debug("Cannot force directory {} to disk: {}", dir, e.toString());
        }
    }

    @Override
    public String toString() {
        return "JsonFileStateStore[" + file + "]";
    }
}
