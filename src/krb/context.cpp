#include <krb5/krb5.h>
#include <profile.h>

#include <string>
#include <utility>

#include "gmsa/krb/krb.hpp"
#include "internal.hpp"

namespace gmsa::krb {
namespace {
// Message for a libkrb5/profile error code before a context exists.
std::string code_message(long code) {
  const char* m = krb5_get_error_message(nullptr, static_cast<krb5_error_code>(code));
  std::string s = m != nullptr ? m : "unknown error";
  krb5_free_error_message(nullptr, m);
  return s;
}
}  // namespace

Result<Context> Context::open(const std::string& krb5_conf_path) {
  if (krb5_conf_path.empty()) return make_error("krb5_conf", "a krb5.conf path is required");
  profile_t profile = nullptr;
  const char* files[] = {krb5_conf_path.c_str(), nullptr};
  // profile_init (not profile_init_path) rejects a missing file instead of
  // silently using an empty configuration.
  long perr = profile_init(files, &profile);
  if (perr != 0) {
    return make_error("krb5_conf", "cannot load " + krb5_conf_path + ": " + code_message(perr));
  }
  krb5_context c = nullptr;
  krb5_error_code code = krb5_init_context_profile(profile, KRB5_INIT_CONTEXT_SECURE, &c);
  profile_release(profile);  // the context keeps its own copy
  if (code != 0) {
    return make_error("krb5_conf", "krb5_init_context_profile failed: " + code_message(code));
  }
  return Context(c);
}

Context::Context(Context&& o) noexcept : ctx_(std::exchange(o.ctx_, nullptr)) {}

Context& Context::operator=(Context&& o) noexcept {
  if (this != &o) {
    if (ctx_ != nullptr) krb5_free_context(ctx_);
    ctx_ = std::exchange(o.ctx_, nullptr);
  }
  return *this;
}

Context::~Context() {
  if (ctx_ != nullptr) krb5_free_context(ctx_);
}

std::string Context::message(long code) const {
  const char* m = krb5_get_error_message(ctx_, static_cast<krb5_error_code>(code));
  std::string s = m != nullptr ? m : "unknown Kerberos error";
  krb5_free_error_message(ctx_, m);
  return s;
}

std::string realm_of(const std::string& principal) {
  // The realm follows the last unescaped '@'.
  for (std::size_t i = principal.size(); i-- > 0;) {
    if (principal[i] == '@' && (i == 0 || principal[i - 1] != '\\')) return principal.substr(i + 1);
  }
  return "";
}

namespace detail {

Error krb_error(const Context& ctx, const std::string& field, const std::string& what,
                krb5_error_code code) {
  return make_error(field, what + ": " + ctx.message(code));
}

std::string unparse(krb5_context ctx, krb5_const_principal p) {
  char* name = nullptr;
  if (krb5_unparse_name(ctx, p, &name) != 0) return "?";
  std::string s = name;
  krb5_free_unparsed_name(ctx, name);
  return s;
}

static SystemTime from_krb_time(krb5_timestamp t) {
  // krb5_timestamp is a signed 32-bit value read as unsigned (valid past 2038).
  return SystemTime{} + std::chrono::seconds(static_cast<std::uint32_t>(t));
}

Result<Credentials> to_credentials(const Context& ctx, krb5_creds* creds) {
  krb5_data* data = nullptr;
  krb5_error_code code = krb5_marshal_credentials(ctx.get(), creds, &data);
  if (code != 0) return krb_error(ctx, "credentials", "cannot marshal", code);
  Credentials out;
  out.marshalled = SecretBytes(reinterpret_cast<const std::uint8_t*>(data->data), data->length);
  secure_wipe(data->data, data->length);
  krb5_free_data(ctx.get(), data);
  out.client = unparse(ctx.get(), creds->client);
  out.server = unparse(ctx.get(), creds->server);
  out.start_time =
      from_krb_time(creds->times.starttime != 0 ? creds->times.starttime : creds->times.authtime);
  out.end_time = from_krb_time(creds->times.endtime);
  out.renew_till = from_krb_time(creds->times.renew_till);
  return out;
}

Status from_credentials(const Context& ctx, const Credentials& in, Creds& out) {
  krb5_data data;
  data.magic = KV5M_DATA;
  data.length = static_cast<unsigned int>(in.marshalled.size());
  data.data = const_cast<char*>(reinterpret_cast<const char*>(in.marshalled.data()));
  krb5_creds* c = nullptr;
  krb5_error_code code = krb5_unmarshal_credentials(ctx.get(), &data, &c);
  if (code != 0) return krb_error(ctx, "credentials", "cannot unmarshal", code);
  out.c = *c;  // take over the contents, free only the shell
  out.filled = true;
  free(c);  // NOLINT: allocated by libkrb5 with malloc
  return ok_status();
}

}  // namespace detail
}  // namespace gmsa::krb
