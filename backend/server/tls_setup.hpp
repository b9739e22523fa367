// TLS for dealstack-server: the files to use (configured, or a local CA and a server
// certificate generated in data_dir/tls/ on first start) and the server's SSL context
// (TLS 1.2 and 1.3 only, OpenSSL's default cipher suites, no renegotiation, no compression).
#pragma once

#include <boost/asio/ssl/context.hpp>

#include <filesystem>
#include <memory>
#include <string>

#include "core/result.hpp"
#include "server/config.hpp"

namespace dealstack::backend::server {

struct TlsFiles {
  std::filesystem::path cert;  // PEM chain
  std::filesystem::path key;   // PEM private key
  std::filesystem::path ca;    // the generated CA's certificate; empty when configured
  bool generated_now = false;
};

// The configured files, or data_dir/tls/{ca.pem, ca.key, server.pem, server.key}, made now
// if missing: a P-256 CA (10 years) and a server certificate it signs (2 years) for
// localhost, 127.0.0.1, ::1 and the listen address. Keys are 0600, the folder 0700.
// Errors "tls_error" naming the file or the OpenSSL step.
Result<TlsFiles> ensure_tls_files(const Config& config);

Result<std::unique_ptr<boost::asio::ssl::context>> make_tls_context(const TlsFiles& files);

}  // namespace dealstack::backend::server
