// The library's voice, in Java: "tlsoverride[PID]: LEVEL: message" or one JSON object per
// line, to standard error or appended to [log] file; one write per line so lines from
// threads and processes sharing the file never interleave (shim/core/log.cpp).
package tlsoverride;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

final class Log {
    static final int OFF = 0, ERROR = 1, WARN = 2, INFO = 3, DEBUG = 4;
    private static final List<String> LEVELS = List.of("off", "error", "warn", "info", "debug");
    private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'");

    final int level;
    final boolean json, handshakes;
    final String program;
    final long pid = ProcessHandle.current().pid();
    // System.err may be replaced by the program; descriptor 2 is the process's.
    private final FileOutputStream stderr = new FileOutputStream(FileDescriptor.err);
    private FileChannel file;

    Log(String level, boolean json, String path, boolean handshakes, String program) {
        int l = LEVELS.indexOf(level);
        this.level = l < 0 ? WARN : l;
        this.json = json;
        this.handshakes = handshakes;
        this.program = program;
        if (path != null && !path.isEmpty() && !path.equals("syslog")) {
            try {
                // Not following a symbolic link, like the library's O_NOFOLLOW.
                file = FileChannel.open(Path.of(path), StandardOpenOption.WRITE, StandardOpenOption.APPEND,
                                        StandardOpenOption.CREATE, LinkOption.NOFOLLOW_LINKS);
            } catch (IOException | RuntimeException e) {
                write(WARN, "cannot open log file " + path + ": " + e.getMessage() + "; logging to standard error");
            }
        }
    }

    boolean enabled(int l) { return l != OFF && l <= level; }

    static String now() { return ZonedDateTime.now(ZoneOffset.UTC).format(RFC3339); }

    void write(int l, String message) {
        if (!enabled(l)) return;
        String word = l == ERROR ? "error" : l == WARN ? "warning" : l == INFO ? "info" : "debug";
        if (json)
            line("{\"time\":\"" + now() + "\",\"type\":\"log\",\"level\":\"" + word + "\",\"program\":\"" +
                 jsonEscape(program) + "\",\"pid\":" + pid + ",\"message\":\"" + jsonEscape(message) + "\"}");
        else
            line("tlsoverride[" + pid + "]: " + word + ": " + message);
    }

    void record(HandshakeRecord r) {
        if (handshakes) line(json ? r.json() : r.text());
    }

    private synchronized void line(String text) {
        byte[] bytes = (oneLine(text) + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            if (file != null) file.write(ByteBuffer.wrap(bytes));
            else stderr.write(bytes);
        } catch (IOException e) {
            // A log that cannot be written never stops TLS.
        }
    }

    // Control characters (a peer's SNI can hold a newline) would split or forge lines.
    static String oneLine(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            if (c >= 0x20 && c != 0x7f) out.append(c);
            else out.append(String.format("\\x%02x", (int) c));
        }
        return out.toString();
    }

    static String jsonEscape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2);
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"': out.append("\\\""); break;
                case '\\': out.append("\\\\"); break;
                case '\n': out.append("\\n"); break;
                case '\t': out.append("\\t"); break;
                case '\r': out.append("\\r"); break;
                default:
                    if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
                    else out.append(c);
            }
        }
        return out.toString();
    }
}
