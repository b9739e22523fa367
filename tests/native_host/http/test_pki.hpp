// A throwaway PKI made at test time with the OpenSSL API (P-256 keys, SHA-256 signatures):
// a test CA, a good server certificate for localhost / 127.0.0.1 signed by it, an expired
// one, one for the wrong host, and a self-signed one the CA never saw. The CA certificate
// is written to a temporary file for ClientOptions::ca_file.
#pragma once

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>

namespace dealstack::http::testing {

struct Identity {
  std::string cert_pem;
  std::string key_pem;
};

struct TestPki {
  Identity ca;
  Identity good;        // localhost + 127.0.0.1, signed by ca, valid now
  Identity expired;     // signed by ca, expired yesterday
  Identity wrong_host;  // signed by ca, for wrong.example only
  Identity self_signed; // localhost + 127.0.0.1, signed by itself
  std::string ca_file;  // ca.cert_pem on disk, removed at exit
};

namespace detail {

using KeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using CertPtr = std::unique_ptr<X509, decltype(&X509_free)>;

inline void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("test PKI: ") + what);
}

inline KeyPtr new_key() {
  KeyPtr key(EVP_EC_gen("P-256"), &EVP_PKEY_free);
  check(key != nullptr, "EVP_EC_gen");
  return key;
}

inline void add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  check(ext != nullptr, "X509V3_EXT_conf_nid");
  check(X509_add_ext(cert, ext, -1) == 1, "X509_add_ext");
  X509_EXTENSION_free(ext);
}

// `issuer`/`issuer_key` null: self-signed. Validity in seconds from now.
inline CertPtr make_cert(EVP_PKEY* key, const char* common_name, X509* issuer,
                         EVP_PKEY* issuer_key, long not_before, long not_after, bool is_ca,
                         const char* san) {
  static long serial = 1000;
  CertPtr cert(X509_new(), &X509_free);
  check(cert != nullptr, "X509_new");
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), ++serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), not_before);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), not_after);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("dealstack tests"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name), -1, -1, 0);
  X509* signer = issuer ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  if (is_ca) {
    add_ext(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
    add_ext(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
    add_ext(cert.get(), signer, NID_subject_key_identifier, "hash");
  } else {
    add_ext(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
    add_ext(cert.get(), signer, NID_key_usage, "critical,digitalSignature");
    add_ext(cert.get(), signer, NID_ext_key_usage, "serverAuth");
    add_ext(cert.get(), signer, NID_subject_alt_name, san);
  }
  check(X509_sign(cert.get(), issuer_key ? issuer_key : key, EVP_sha256()) > 0, "X509_sign");
  return cert;
}

inline std::string cert_pem(X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(n));
  BIO_free(bio);
  return out;
}

inline std::string key_pem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(n));
  BIO_free(bio);
  return out;
}

}  // namespace detail

// Made once per test binary (key generation is cheap, but there is no need to repeat it).
inline const TestPki& test_pki() {
  static const TestPki pki = [] {
    using namespace detail;
    const long day = 24 * 3600;
    const char* san = "DNS:localhost,IP:127.0.0.1";
    TestPki p;
    KeyPtr ca_key = new_key();
    CertPtr ca = make_cert(ca_key.get(), "dealstack test CA", nullptr, nullptr, -day, 30 * day,
                           true, nullptr);
    p.ca = {cert_pem(ca.get()), key_pem(ca_key.get())};

    auto leaf = [&](const char* cn, long from, long to, const char* alt) {
      KeyPtr key = new_key();
      CertPtr cert = make_cert(key.get(), cn, ca.get(), ca_key.get(), from, to, false, alt);
      return Identity{cert_pem(cert.get()), key_pem(key.get())};
    };
    p.good = leaf("localhost", -day, 30 * day, san);
    p.expired = leaf("localhost", -3 * day, -day, san);
    p.wrong_host = leaf("wrong.example", -day, 30 * day, "DNS:wrong.example");

    KeyPtr self_key = new_key();
    CertPtr self = make_cert(self_key.get(), "localhost", nullptr, nullptr, -day, 30 * day, false, san);
    p.self_signed = {cert_pem(self.get()), key_pem(self_key.get())};

    p.ca_file = (std::filesystem::temp_directory_path() /
                 ("dealstack-http-test-ca-" + std::to_string(getpid()) + ".pem"))
                    .string();
    return p;
  }();
  struct CaFile {
    std::string path;
    explicit CaFile(const TestPki& p) : path(p.ca_file) { std::ofstream(path) << p.ca.cert_pem; }
    ~CaFile() {
      std::error_code ignored;
      std::filesystem::remove(path, ignored);
    }
  };
  static const CaFile file(pki);
  return pki;
}

}  // namespace dealstack::http::testing
