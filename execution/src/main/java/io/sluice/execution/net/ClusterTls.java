package io.sluice.execution.net;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS for every connection of a cluster, from one PKCS#12 key store that every process holds: its
 * key pair is each server's, and its certificate the only one a client trusts. Authentication stays
 * the shared secret's handshake, run inside TLS; TLS adds privacy on the wire and proves the server
 * holds the cluster's key (host names are not checked: pods and workers come and go).
 */
public final class ClusterTls {

  private final SslContext server;
  private final SslContext client;

  private ClusterTls(SslContext server, SslContext client) {
    this.server = server;
    this.client = client;
  }

  /** Loads the key store; fails, saying why, if it cannot be read or holds no key pair. */
  public static ClusterTls of(Path keyStore, char[] password) throws IOException {
    try (InputStream in = Files.newInputStream(keyStore)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, password);
      KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(store, password);
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(store);
      SslContext server = SslContextBuilder.forServer(keys).protocols("TLSv1.3").build();
      SslContext client = SslContextBuilder.forClient().trustManager(trust).protocols("TLSv1.3")
          .endpointIdentificationAlgorithm(null).build();
      return new ClusterTls(server, client);
    } catch (GeneralSecurityException | IOException e) {
      throw new IOException("cannot use " + keyStore + " as the cluster's TLS key store: " + e.getMessage(), e);
    }
  }

  SslHandler serverHandler(ByteBufAllocator alloc) {
    return server.newHandler(alloc);
  }

  SslHandler clientHandler(ByteBufAllocator alloc, String host, int port) {
    return client.newHandler(alloc, host, port);
  }
}
