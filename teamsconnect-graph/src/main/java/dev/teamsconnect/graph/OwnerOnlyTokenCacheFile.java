package dev.teamsconnect.graph;

import com.microsoft.aad.msal4j.ITokenCacheAccessAspect;
import com.microsoft.aad.msal4j.ITokenCacheAccessContext;
import dev.teamsconnect.core.error.TerminalException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Persists msal4j's token cache (refresh tokens!) to one file readable and writable by the owner only, so a
 * restart signs in silently. Written atomically (temp file created owner-only, then moved). A file msal4j cannot
 * read is reported, never overwritten: whoever moves it away chooses to sign in again. Read-only (for
 * {@code check}, which writes nothing): the file is read, never written, and its permissions are only reported.
 */
final class OwnerOnlyTokenCacheFile implements ITokenCacheAccessAspect {

    private static final Logger LOG = LoggerFactory.getLogger(OwnerOnlyTokenCacheFile.class);
    private static final Set<PosixFilePermission> OWNER_ONLY = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE);

    private final Path file;
    private final boolean readOnly;
    private boolean loaded;

    OwnerOnlyTokenCacheFile(Path file) {
        this(file, false);
    }

    OwnerOnlyTokenCacheFile(Path file, boolean readOnly) {
        this.file = file.toAbsolutePath();
        this.readOnly = readOnly;
    }

    Path file() {
        return file;
    }

    @Override
    public synchronized void beforeCacheAccess(ITokenCacheAccessContext context) {
        if (loaded) {
            return;
        }
        loaded = true;
        if (!Files.exists(file)) {
            return;
        }
        String data;
        try {
            tightenPermissions();
            data = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new TerminalException("cannot read the token cache " + file + ": " + e.getMessage(), e);
        }
        try {
            context.tokenCache().deserialize(data);
        } catch (RuntimeException e) {
            throw new TerminalException("the token cache " + file + " is not a readable msal4j token cache ("
                    + e.getClass().getSimpleName() + "); it was left unchanged. Move it away to sign in again.");
        }
    }

    @Override
    public synchronized void afterCacheAccess(ITokenCacheAccessContext context) {
        if (!context.hasCacheChanged()) {
            return;
        }
        if (readOnly) {
            LOG.debug("token cache {} not saved: this command writes nothing", file);
            return;
        }
        String data = context.tokenCache().serialize();
        try {
            Path dir = file.getParent();
            if (dir != null) {
                Files.createDirectories(dir);
            }
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            if (posix()) {
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            } else {
                Files.createFile(tmp);
                ownerOnlyNonPosix(tmp);
            }
            Files.writeString(tmp, data, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            LOG.debug("token cache saved to {}", file);
        } catch (IOException e) {
            // Not fatal for this run (tokens are in memory), but a restart would need a new sign-in.
            LOG.error("cannot save the token cache to {}: {}; a restart will need a new sign-in", file, e.getMessage());
        }
    }

    private void tightenPermissions() throws IOException {
        if (!posix()) {
            return;
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
        if (!OWNER_ONLY.containsAll(perms) && readOnly) {
            LOG.warn("token cache {} is readable by others ({}); run restricts it to its owner", file,
                    PosixFilePermissions.toString(perms));
        } else if (!OWNER_ONLY.containsAll(perms)) {
            LOG.warn("token cache {} was readable by others ({}); restricting it to its owner", file,
                    PosixFilePermissions.toString(perms));
            Files.setPosixFilePermissions(file, OWNER_ONLY);
        }
    }

    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }

    private static void ownerOnlyNonPosix(Path p) {
        java.io.File f = p.toFile();
        boolean ok = f.setReadable(false, false) & f.setReadable(true, true) & f.setWritable(false, false)
                & f.setWritable(true, true);
        if (!ok) {
            LOG.warn("could not restrict {} to its owner on this file system", p);
        }
    }
}
