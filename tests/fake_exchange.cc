#include "fake_exchange.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace exhunt::testing {

namespace {

// A throwaway self-signed certificate for 127.0.0.1.
SSL_CTX* MakeContext() {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  EVP_PKEY* key = EVP_RSA_gen(2048);
  X509* cert = X509_new();
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("exch-test.local"), -1,
                             -1, 0);
  X509_set_issuer_name(cert, name);
  X509_sign(cert, key, EVP_sha256());
  SSL_CTX_use_certificate(ctx, cert);
  SSL_CTX_use_PrivateKey(ctx, key);
  X509_free(cert);
  EVP_PKEY_free(key);
  return ctx;
}

}  // namespace

FakeExchange::FakeExchange(Behaviour b, bool tls) : behaviour_(std::move(b)), tls_(tls) {
  listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  listen(listen_fd_, 16);
  if (tls_) ssl_ctx_ = MakeContext();
  thread_ = std::thread([this] { Serve(); });
}

FakeExchange::~FakeExchange() {
  stop_ = true;
  thread_.join();
  close(listen_fd_);
  if (ssl_ctx_) SSL_CTX_free(static_cast<SSL_CTX*>(ssl_ctx_));
}

std::string FakeExchange::url() const {
  return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_);
}

std::vector<std::string> FakeExchange::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

std::string FakeExchange::Respond(const std::string& head) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.push_back(head);
  }
  std::string path = head.substr(head.find(' ') + 1);
  path = path.substr(0, path.find(' '));
  std::string extra =
      behaviour_.owa_version_header.empty() ? "" : "X-OWA-Version: " + behaviour_.owa_version_header + "\r\n";
  auto reply = [&](const std::string& status, const std::string& headers, const std::string& body) {
    return "HTTP/1.1 " + status + "\r\nServer: Microsoft-IIS/10.0\r\nX-FEServer: EXCH01\r\n" + headers +
           "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
  };
  if (path == "/owa/" || path == "/owa")
    return reply("302 Found", extra + "Location: /owa/auth/logon.aspx?url=https%3a%2f%2fmail%2fowa%2f&reason=0\r\n",
                 "");
  if (path.rfind("/owa/auth/logon.aspx", 0) == 0) {
    std::string body = "<html><head><title>Outlook</title>";
    if (!behaviour_.logon_path_build.empty())
      body += "<link rel=\"shortcut icon\" href=\"/owa/auth/" + behaviour_.logon_path_build +
              "/themes/resources/favicon.ico\" type=\"image/x-icon\">";
    body += "</head><body>sign in</body></html>";
    return reply("200 OK", extra + "Content-Type: text/html\r\n", body);
  }
  if (path == "/ecp/Current/exporttool/microsoft.exchange.ediscovery.exporttool.application") {
    if (behaviour_.manifest_version.empty()) return reply("404 Not Found", "", "");
    return reply("200 OK", "Content-Type: application/x-ms-application\r\n",
                 "<?xml version=\"1.0\" encoding=\"utf-8\"?><asmv1:assembly><assemblyIdentity "
                 "name=\"microsoft.exchange.ediscovery.exporttool.application\" version=\"" +
                     behaviour_.manifest_version +
                     "\" publicKeyToken=\"b03f5f7f11d50a3a\" language=\"neutral\" "
                     "processorArchitecture=\"msil\" xmlns=\"urn:schemas-microsoft-com:asm.v1\" /></asmv1:assembly>");
  }
  return reply("404 Not Found", "", "");
}

void FakeExchange::Serve() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    int fd = accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) continue;
    timeval tv{2, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    SSL* ssl = nullptr;
    if (tls_) {
      ssl = SSL_new(static_cast<SSL_CTX*>(ssl_ctx_));
      SSL_set_fd(ssl, fd);
      if (SSL_accept(ssl) <= 0) {  // e.g. the client refused our certificate
        SSL_free(ssl);
        close(fd);
        continue;
      }
    }
    std::string head;
    char buf[4096];
    while (head.find("\r\n\r\n") == std::string::npos && head.size() < 65536) {
      int n = tls_ ? SSL_read(ssl, buf, sizeof buf) : int(read(fd, buf, sizeof buf));
      if (n <= 0) break;
      head.append(buf, size_t(n));
    }
    if (!head.empty()) {
      std::string out = Respond(head);
      if (tls_)
        SSL_write(ssl, out.data(), int(out.size()));
      else if (write(fd, out.data(), out.size()) < 0) {
      }
    }
    if (ssl) {
      SSL_shutdown(ssl);
      SSL_free(ssl);
    }
    close(fd);
  }
}

}  // namespace exhunt::testing
