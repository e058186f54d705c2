// A Java client that plays the old binary: each CASE is one connection to 127.0.0.1:PORT,
// one line of output each, so one JVM start covers every case (JVMs start slowly).
//   java JavaClient.java --ca CA.pem PORT CASE...
//   default  SSLSocketFactory.getDefault(), a raw socket on the JDK's defaults
//   pinned   SSLContext.getInstance("TLSv1") and setEnabledProtocols({"TLSv1"})
//   https    HttpsURLConnection with its default factory
//   sni      like default, with the server name modern.test (SNI) set in SSLParameters
//   engine   SSLContext.getDefault().createSSLEngine(), the handshake by hand
//   server   a server pinned to SSLContext TLSv1 + setEnabledProtocols({"TLSv1"}), with the
//            certificate beside CA.pem; openssl s_client -tls1_2 connects to it
// Prints "CASE: connected VERSION CIPHER" or "CASE: handshake failed: MESSAGE".
import java.io.FileInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

public class JavaClient {
    static TrustManagerFactory trust;
    static String ca;

    public static void main(String[] args) throws Exception {
        // The test CA becomes the default trust store before anything reads it.
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        ca = args[1];
        try (InputStream in = new FileInputStream(args[1])) {
            store.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        Path file = Files.createTempFile("javaclient", ".p12");
        file.toFile().deleteOnExit();
        try (OutputStream out = Files.newOutputStream(file)) { store.store(out, "changeit".toCharArray()); }
        System.setProperty("javax.net.ssl.trustStore", file.toString());
        System.setProperty("javax.net.ssl.trustStorePassword", "changeit");
        System.setProperty("javax.net.ssl.trustStoreType", "PKCS12");
        trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);

        int port = Integer.parseInt(args[2]);
        for (int i = 3; i < args.length; i++) {
            try {
                System.out.println(args[i] + ": connected " + connect(args[i], port));
            } catch (Exception e) {
                // OpenJDK 17.0.19 writes "(protocol_version) Received fatal alert: ...",
                // 17.0.15 without the parenthesis: printed the same way on both.
                System.out.println(args[i] + ": handshake failed: "
                                   + String.valueOf(e.getMessage()).replaceFirst("^\\([a-z_]+\\) (Received fatal alert: )", "$1"));
            }
        }
    }

    static String connect(String how, int port) throws Exception {
        switch (how) {
            case "default": {
                SSLSocket s = (SSLSocket) SSLSocketFactory.getDefault().createSocket("127.0.0.1", port);
                try (s) { s.startHandshake(); return s.getSession().getProtocol() + " " + s.getSession().getCipherSuite(); }
            }
            case "sni": {
                SSLSocket s = (SSLSocket) SSLSocketFactory.getDefault().createSocket("127.0.0.1", port);
                javax.net.ssl.SSLParameters p = s.getSSLParameters();
                p.setServerNames(java.util.List.of(new javax.net.ssl.SNIHostName("modern.test")));
                s.setSSLParameters(p);
                try (s) { s.startHandshake(); return s.getSession().getProtocol() + " " + s.getSession().getCipherSuite(); }
            }
            case "pinned": {
                SSLContext c = SSLContext.getInstance("TLSv1");
                c.init(null, trust.getTrustManagers(), null);
                SSLSocket s = (SSLSocket) c.getSocketFactory().createSocket("127.0.0.1", port);
                s.setEnabledProtocols(new String[] {"TLSv1"});
                try (s) {
                    // No startHandshake: the first write starts it, as most programs do.
                    s.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes());
                    s.getInputStream().read();
                    return s.getSession().getProtocol() + " " + s.getSession().getCipherSuite();
                }
            }
            case "https": {
                HttpsURLConnection c = (HttpsURLConnection) new URL("https://127.0.0.1:" + port + "/").openConnection();
                // s_server -www serves one connection at a time: no keep-alive.
                c.setRequestProperty("Connection", "close");
                int code = c.getResponseCode();
                String suite = c.getCipherSuite();
                c.getInputStream().readAllBytes();
                c.disconnect();
                return suite + " http " + code;
            }
            case "engine": return engine(port);
            case "server": return server();
            default: throw new IllegalArgumentException("unknown case " + how);
        }
    }

    static String server() throws Exception {
        Path dir = Path.of(ca).getParent();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        String pem = Files.readString(dir.resolve("server.key")).replaceAll("-----[A-Z ]+-----|\\s", "");
        java.security.PrivateKey key = java.security.KeyFactory.getInstance("RSA")
            .generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(java.util.Base64.getDecoder().decode(pem)));
        try (InputStream in = Files.newInputStream(dir.resolve("server.pem"))) {
            keys.setKeyEntry("server", key, "changeit".toCharArray(),
                             new java.security.cert.Certificate[] {CertificateFactory.getInstance("X.509").generateCertificate(in)});
        }
        javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance("SunX509");
        kmf.init(keys, "changeit".toCharArray());
        SSLContext c = SSLContext.getInstance("TLSv1");
        c.init(kmf.getKeyManagers(), null, null);
        try (javax.net.ssl.SSLServerSocket listener = (javax.net.ssl.SSLServerSocket) c.getServerSocketFactory()
                 .createServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            listener.setEnabledProtocols(new String[] {"TLSv1"});
            Process client = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + listener.getLocalPort(), "-servername", "billing.legacy.test",
                                                "-tls1_2").redirectErrorStream(true).start();
            listener.setSoTimeout(10000);
            try (SSLSocket s = (SSLSocket) listener.accept()) {
                s.startHandshake();
                return s.getSession().getProtocol() + " " + s.getSession().getCipherSuite();
            } finally {
                client.destroy();
            }
        }
    }

    // The minimal client loop of an SSLEngine user (java.net.http and netty do this).
    static String engine(int port) throws Exception {
        SSLEngine e = SSLContext.getDefault().createSSLEngine("127.0.0.1", port);
        e.setUseClientMode(true);
        try (SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
            int size = e.getSession().getPacketBufferSize();
            ByteBuffer out = ByteBuffer.allocate(size), in = ByteBuffer.allocate(size),
                       app = ByteBuffer.allocate(e.getSession().getApplicationBufferSize()), none = ByteBuffer.allocate(0);
            e.beginHandshake();
            for (int guard = 0; guard < 100; guard++) {
                SSLEngineResult.HandshakeStatus hs = e.getHandshakeStatus();
                if (hs == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
                    out.clear();
                    e.wrap(none, out);
                    out.flip();
                    while (out.hasRemaining()) ch.write(out);
                } else if (hs == SSLEngineResult.HandshakeStatus.NEED_UNWRAP) {
                    if (in.position() == 0 || e.unwrap(in.flip(), app).getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
                        if (in.limit() != in.capacity()) in.compact();
                        if (ch.read(in) < 0) throw new java.io.IOException("connection closed during the handshake");
                        continue;
                    }
                    in.compact();
                } else if (hs == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                    e.getDelegatedTask().run();
                } else {
                    return e.getSession().getProtocol() + " " + e.getSession().getCipherSuite();
                }
            }
            throw new java.io.IOException("handshake did not finish");
        }
    }
}
