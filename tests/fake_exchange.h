// A fake Exchange front end for tests: serves /owa/, the logon page and
// the ECP export tool manifest on 127.0.0.1 (an ephemeral port), over HTTP
// or over TLS with a self-signed certificate made at start. It records
// every request so tests can check what a client sent.
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace exhunt::testing {

class FakeExchange {
 public:
  struct Behaviour {
    std::string owa_version_header;  // X-OWA-Version value, empty: header removed
    std::string logon_path_build;    // "15.1.2176" in /owa/auth/<build>/, empty: none
    std::string manifest_version;    // export tool assemblyIdentity version, empty: 404
  };

  FakeExchange(Behaviour b, bool tls);
  ~FakeExchange();
  FakeExchange(const FakeExchange&) = delete;
  FakeExchange& operator=(const FakeExchange&) = delete;

  std::string url() const;
  std::vector<std::string> requests() const;  // request heads, in order

 private:
  void Serve();
  std::string Respond(const std::string& head);

  Behaviour behaviour_;
  bool tls_;
  int listen_fd_ = -1;
  int port_ = 0;
  void* ssl_ctx_ = nullptr;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex mu_;
  std::vector<std::string> requests_;
};

}  // namespace exhunt::testing
