#include "server/tls_setup.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <tuple>

#include <boost/asio/ip/address.hpp>

#include "platform/paths.hpp"

namespace dealstack::backend::server {

namespace {

using KeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using CertPtr = std::unique_ptr<X509, decltype(&X509_free)>;

Error tls_error(const std::string& what) { return make_error("tls_error", what); }

bool add_ext(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) return false;
  const bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

Result<CertPtr> make_cert(EVP_PKEY* key, const char* cn, X509* issuer, EVP_PKEY* issuer_key, long days, bool ca,
                          const std::string& san) {
  CertPtr cert(X509_new(), &X509_free);
  if (!cert) return tls_error("X509_new failed");
  X509_set_version(cert.get(), 2);
  auto serial = std::unique_ptr<BIGNUM, decltype(&BN_free)>(BN_new(), &BN_free);
  BN_rand(serial.get(), 120, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY);
  BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get()));
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), days * 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("dealstack-server"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
  X509* signer = issuer ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  bool ok = true;
  if (ca) {
    ok = add_ext(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") &&
         add_ext(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign") &&
         add_ext(cert.get(), signer, NID_subject_key_identifier, "hash");
  } else {
    ok = add_ext(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE") &&
         add_ext(cert.get(), signer, NID_key_usage, "critical,digitalSignature") &&
         add_ext(cert.get(), signer, NID_ext_key_usage, "serverAuth") &&
         add_ext(cert.get(), signer, NID_subject_alt_name, san) &&
         add_ext(cert.get(), signer, NID_authority_key_identifier, "keyid:always");
  }
  if (!ok) return tls_error("adding a certificate extension failed");
  if (X509_sign(cert.get(), issuer_key ? issuer_key : key, EVP_sha256()) <= 0) return tls_error("X509_sign failed");
  return cert;
}

template <typename Writer>
Result<std::string> pem(Writer write) {
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr || !write(bio)) {
    BIO_free(bio);
    return tls_error("writing PEM failed");
  }
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(n));
  BIO_free(bio);
  return out;
}

// Creates `path` with `mode` (never replacing a file) and writes `text`.
Status write_new(const std::filesystem::path& path, const std::string& text, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return tls_error("can't create " + path.string() + ": " + std::strerror(errno));
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      return tls_error("can't write " + path.string() + ": " + std::strerror(errno));
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) return tls_error("can't write " + path.string());
  return Unit{};
}

}  // namespace

Result<TlsFiles> ensure_tls_files(const Config& config) {
  if (!config.tls_cert.empty()) return TlsFiles{config.tls_cert, config.tls_key, {}, false};
  const auto dir = config.data_dir / "tls";
  if (auto s = platform::ensure_private_dir(dir); !s) return s.error();
  TlsFiles f{dir / "server.pem", dir / "server.key", dir / "ca.pem", false};
  if (std::filesystem::exists(f.cert) && std::filesystem::exists(f.key)) return f;

  std::string san = "DNS:localhost,IP:127.0.0.1,IP:::1";
  boost::system::error_code ec;
  const auto addr = boost::asio::ip::make_address(config.address, ec);
  if (!ec && !addr.is_unspecified() && !addr.is_loopback()) san += ",IP:" + addr.to_string();
  else if (ec) san += ",DNS:" + config.address;

  KeyPtr ca_key(EVP_EC_gen("P-256"), &EVP_PKEY_free);
  KeyPtr key(EVP_EC_gen("P-256"), &EVP_PKEY_free);
  if (!ca_key || !key) return tls_error("generating a P-256 key failed");
  auto ca = make_cert(ca_key.get(), "dealstack-server local CA", nullptr, nullptr, 3650, true, "");
  if (!ca) return ca.error();
  auto leaf = make_cert(key.get(), "localhost", ca->get(), ca_key.get(), 730, false, san);
  if (!leaf) return leaf.error();
  auto ca_pem = pem([&](BIO* b) { return PEM_write_bio_X509(b, ca->get()) == 1; });
  auto ca_key_pem = pem([&](BIO* b) { return PEM_write_bio_PrivateKey(b, ca_key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1; });
  auto leaf_pem = pem([&](BIO* b) { return PEM_write_bio_X509(b, leaf->get()) == 1; });
  auto key_pem = pem([&](BIO* b) { return PEM_write_bio_PrivateKey(b, key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1; });
  if (!ca_pem || !ca_key_pem || !leaf_pem || !key_pem) return tls_error("writing PEM failed");
  // Any half-made set from an earlier crash is replaced as a whole.
  std::error_code fs_ec;
  for (const char* n : {"ca.pem", "ca.key", "server.pem", "server.key"}) std::filesystem::remove(dir / n, fs_ec);
  for (auto [name, text, mode] : {std::tuple{"ca.key", &*ca_key_pem, 0600}, std::tuple{"ca.pem", &*ca_pem, 0644},
                                  std::tuple{"server.key", &*key_pem, 0600}}) {
    if (auto s = write_new(dir / name, *text, static_cast<mode_t>(mode)); !s) return s.error();
  }
  // server.pem last: its presence says the set is complete.
  if (auto s = write_new(dir / "server.pem", *leaf_pem + *ca_pem, 0644); !s) return s.error();
  f.generated_now = true;
  return f;
}

Result<std::unique_ptr<boost::asio::ssl::context>> make_tls_context(const TlsFiles& files) {
  namespace ssl = boost::asio::ssl;
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
  boost::system::error_code ec;
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                       ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::no_compression |
                       ssl::context::single_dh_use,
                   ec);
  if (ec) return tls_error("TLS options: " + ec.message());
  SSL_CTX_set_options(ctx->native_handle(), SSL_OP_NO_RENEGOTIATION);
  ctx->use_certificate_chain_file(files.cert.string(), ec);
  if (ec) return tls_error(files.cert.string() + ": not a PEM certificate chain (" + ec.message() + ")");
  ctx->use_private_key_file(files.key.string(), ssl::context::pem, ec);
  if (ec) return tls_error(files.key.string() + ": not the certificate's PEM private key (" + ec.message() + ")");
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1)
    return tls_error(files.key.string() + ": does not match the certificate " + files.cert.string());
  return ctx;
}

}  // namespace dealstack::backend::server
