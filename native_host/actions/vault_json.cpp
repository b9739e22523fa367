#include "actions/vault_json.hpp"

#include "protocol/wire.hpp"

namespace dealstack::actions {

protocol::Json to_json(const vault::EntryInfo& e) {
  return protocol::Json{{"id", e.id},
                        {"kind", e.kind},
                        {"label", e.label},
                        {"created_at", e.created_at},
                        {"updated_at", e.updated_at}};
}

protocol::Json to_json(const vault::VaultStatus& s) {
  return protocol::Json{
      {"initialized", s.initialized},
      {"locked", s.locked},
      {"protection", s.protection ? protocol::Json(vault::protection_name(*s.protection)) : protocol::Json(nullptr)},
      {"auto_lock_minutes", s.auto_lock_minutes},
      {"entries", s.entries}};
}

Result<std::optional<crypto::SecretBytes>> take_optional_secret(const protocol::Json& params, const char* name,
                                                                std::size_t max_bytes) {
  auto it = params.find(name);
  if (it == params.end() || it->is_null()) return std::optional<crypto::SecretBytes>{};
  if (!it->is_string()) return make_error(protocol::error::invalid_params, std::string(name) + ": must be a string");
  // The dispatcher parsed the request into a Json it owns and lends us as const; the string
  // is ours to wipe once copied (nothing reads params after the handler).
  auto& text = const_cast<protocol::Json&>(*it).get_ref<std::string&>();
  Status ok = Unit{};
  if (text.empty())
    ok = make_error(protocol::error::invalid_params, std::string(name) + ": is empty");
  else if (text.size() > max_bytes)
    ok = make_error(protocol::error::invalid_params,
                    std::string(name) + ": longer than " + std::to_string(max_bytes) + " bytes");
  crypto::SecretBytes secret(ok ? std::string_view(text) : std::string_view());
  crypto::wipe(text);
  if (!ok) return ok.error();
  return std::optional<crypto::SecretBytes>{std::move(secret)};
}

Result<crypto::SecretBytes> take_secret(const protocol::Json& params, const char* name, std::size_t max_bytes) {
  auto s = take_optional_secret(params, name, max_bytes);
  if (!s) return s.error();
  if (!*s) return make_error(protocol::error::invalid_params, std::string(name) + ": missing");
  return std::move(**s);
}

Error vault_error(Error e) {
  if (e.code == "invalid_argument") e.code = protocol::error::invalid_params;
  return e;
}

Result<vault::Vault*> need_vault(vault::Vault* v) {
  if (v == nullptr) return make_error(protocol::error::internal_error, "the agent runs without its vault");
  return v;
}

}  // namespace dealstack::actions
