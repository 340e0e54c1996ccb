package io.rollguard.notify;

import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.auth.EasyAuthenticationHandlerFactory;
import org.subethamail.smtp.auth.LoginFailedException;
import org.subethamail.smtp.server.SMTPServer;

/**
 * A real SMTP server for the email receiver's tests (SubEthaSMTP on 127.0.0.1, port 0): STARTTLS
 * required (the test certificate of src/test/resources/tls, valid for 127.0.0.1), AUTH required
 * with one user, and scripted replies: each message takes the next reply code (0: accept; the last
 * one repeats), so 4yz and 5yz answers can be tested. What it accepted is kept, parsed.
 */
public final class SmtpReceiver implements AutoCloseable {

  public static final String USER = "rollguard";
  public static final String PASSWORD = "s3cret-smtp";
  public static final Path CERT = Path.of("src/test/resources/tls/test-cert.pem");
  static final Path KEY = Path.of("src/test/resources/tls/test-key.pem");

  public final List<MimeMessage> accepted = new CopyOnWriteArrayList<>();
  final List<String> logins = new CopyOnWriteArrayList<>();
  private final Deque<Integer> replies = new ArrayDeque<>();
  private final List<Integer> given = new java.util.ArrayList<>();
  private final SMTPServer server;

  public SmtpReceiver(Integer... replies) throws Exception {
    this.replies.addAll(List.of(replies));
    this.server =
        SMTPServer.port(0)
            .bindAddress(InetAddress.getLoopbackAddress())
            .hostName("smtp.test")
            .requireTLS(true)
            .startTlsSocketFactory(sslContext())
            .requireAuth(true)
            .authenticationHandlerFactory(new EasyAuthenticationHandlerFactory(this::login))
            .messageHandlerFactory(this::handler)
            .build();
    server.start();
  }

  public int port() {
    return server.getPortAllocated();
  }

  /** From now on every message gets {@code reply} (0: accept). */
  public synchronized void answerWith(int reply) {
    replies.clear();
    replies.add(reply);
  }

  /** Replies given so far, in order: 0 for each accepted message. */
  public synchronized List<Integer> replies() {
    return List.copyOf(given);
  }

  @Override
  public void close() {
    server.stop();
  }

  private void login(String user, String password, MessageContext ctx) throws LoginFailedException {
    logins.add(user);
    if (!USER.equals(user) || !PASSWORD.equals(password)) {
      throw new LoginFailedException("bad credentials");
    }
  }

  private synchronized int nextReply() {
    Integer r = replies.size() > 1 ? replies.poll() : replies.peek();
    int reply = r == null ? 0 : r;
    given.add(reply);
    return reply;
  }

  private MessageHandler handler(MessageContext ctx) {
    return new MessageHandler() {
      @Override
      public void from(String from) {}

      @Override
      public void recipient(String recipient) {}

      @Override
      public String data(InputStream data) throws RejectException, IOException {
        byte[] raw = data.readAllBytes();
        int reply = nextReply();
        if (reply != 0) {
          throw new RejectException(reply, reply / 100 == 4 ? "try again later" : "no such user");
        }
        try {
          accepted.add(
              new MimeMessage(
                  Session.getInstance(new Properties()), new ByteArrayInputStream(raw)));
        } catch (jakarta.mail.MessagingException e) {
          throw new IOException(e);
        }
        return null;
      }

      @Override
      public void done() {}
    };
  }

  private static SSLContext sslContext() throws Exception {
    String key = Files.readString(KEY).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    var privateKey =
        KeyFactory.getInstance("RSA")
            .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(key)));
    Certificate cert;
    try (InputStream in = Files.newInputStream(CERT)) {
      cert = CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("smtp", privateKey, new char[0], new Certificate[] {cert});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, new char[0]);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, null);
    return ctx;
  }
}
