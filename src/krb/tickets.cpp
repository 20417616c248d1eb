// Initial tickets (AS exchange) and service-key versions.
#include <krb5/krb5.h>
#include <openssl/rand.h>

#include <array>
#include <string>
#include <vector>

#include "gmsa/common/encoding.hpp"
#include "gmsa/krb/krb.hpp"
#include "internal.hpp"

namespace gmsa::krb {
namespace {

using detail::Creds;
using detail::krb_error;
using detail::Principal;

struct InitOpts {
  krb5_context ctx;
  krb5_get_init_creds_opt* o = nullptr;
  explicit InitOpts(krb5_context c) : ctx(c) {}
  ~InitOpts() {
    if (o != nullptr) krb5_get_init_creds_opt_free(ctx, o);
  }
  InitOpts(const InitOpts&) = delete;
  InitOpts& operator=(const InitOpts&) = delete;
};

Status prepare(const Context& ctx, const std::string& principal, const InitOptions& opts,
               Principal& p, InitOpts& io) {
  krb5_error_code code = krb5_parse_name(ctx.get(), principal.c_str(), &p.p);
  if (code != 0) return krb_error(ctx, "principal", "cannot parse '" + principal + "'", code);
  code = krb5_get_init_creds_opt_alloc(ctx.get(), &io.o);
  if (code != 0) return krb_error(ctx, "principal", "cannot allocate options", code);
  if (opts.lifetime.count() > 0) {
    krb5_get_init_creds_opt_set_tkt_life(io.o, static_cast<krb5_deltat>(opts.lifetime.count()));
  }
  return ok_status();
}

}  // namespace

Result<Credentials> tgt_from_keytab(const Context& ctx, const std::string& keytab_path,
                                    const std::string& principal, const InitOptions& opts) {
  Principal p(ctx.get());
  InitOpts io(ctx.get());
  if (auto st = prepare(ctx, principal, opts, p, io); !st) return st.error();
  krb5_keytab kt = nullptr;
  std::string name = "FILE:" + keytab_path;
  krb5_error_code code = krb5_kt_resolve(ctx.get(), name.c_str(), &kt);
  if (code != 0) return krb_error(ctx, "keytab", "cannot open " + keytab_path, code);
  Creds creds(ctx.get());
  code = krb5_get_init_creds_keytab(ctx.get(), &creds.c, p.p, kt, 0, nullptr, io.o);
  krb5_kt_close(ctx.get(), kt);
  if (code != 0) {
    return krb_error(ctx, "keytab", "initial ticket for " + principal + " from " + keytab_path,
                     code);
  }
  creds.filled = true;
  return detail::to_credentials(ctx, &creds.c);
}

Result<Credentials> tgt_from_password(const Context& ctx, const std::string& principal,
                                      const SecretBytes& utf8_password, const InitOptions& opts) {
  Principal p(ctx.get());
  InitOpts io(ctx.get());
  if (auto st = prepare(ctx, principal, opts, p, io); !st) return st.error();
  // libkrb5 wants a NUL-terminated string; the copy is wiped with the SecretBytes.
  SecretBytes pw = utf8_password;
  const std::uint8_t nul = 0;
  pw.append(&nul, 1);
  Creds creds(ctx.get());
  krb5_error_code code = krb5_get_init_creds_password(ctx.get(), &creds.c, p.p,
                                                      reinterpret_cast<const char*>(pw.data()),
                                                      nullptr, nullptr, 0, nullptr, io.o);
  if (code != 0) {
    return krb_error(ctx, "password", "initial ticket for " + principal, code);
  }
  creds.filled = true;
  return detail::to_credentials(ctx, &creds.c);
}

Result<Credentials> tgt_from_keys(const Context& ctx, const std::string& principal,
                                  const std::vector<KeytabKey>& keys, const InitOptions& opts) {
  if (keys.empty()) return make_error("keys", "no keys for " + principal);
  Principal p(ctx.get());
  InitOpts io(ctx.get());
  if (auto st = prepare(ctx, principal, opts, p, io); !st) return st.error();
  // A MEMORY keytab private to this call (random name); libkrb5 frees it,
  // wiping the keys, when the last handle is closed.
  std::array<std::uint8_t, 16> r{};
  if (RAND_bytes(r.data(), static_cast<int>(r.size())) != 1) {
    return make_error("keys", "no random bytes for a keytab name");
  }
  const std::string name = "MEMORY:gmsa-as-" + to_hex(r);
  krb5_keytab kt = nullptr;
  krb5_error_code code = krb5_kt_resolve(ctx.get(), name.c_str(), &kt);
  if (code != 0) return krb_error(ctx, "keys", "cannot create a MEMORY keytab", code);
  code = detail::add_keys(ctx.get(), kt, p.p, keys);
  if (code != 0) {
    krb5_kt_close(ctx.get(), kt);
    return krb_error(ctx, "keys", "cannot add a key", code);
  }
  // The caller holds the keys, so the KDC's PA-ETYPE-INFO2 hint is not needed:
  // send PA-ENC-TIMESTAMP with the first AS-REQ (optimistic pre-authentication,
  // the keys' own enctype order) and save the PREAUTH_REQUIRED round trip.
  // Should the KDC still ask for something else, libkrb5 carries on with the
  // ordinary exchange.
  std::vector<krb5_enctype> etypes;
  for (const KeytabKey& k : keys) etypes.push_back(k.enctype);
  krb5_get_init_creds_opt_set_etype_list(io.o, etypes.data(), static_cast<int>(etypes.size()));
  krb5_preauthtype optimistic[] = {KRB5_PADATA_ENC_TIMESTAMP};
  krb5_get_init_creds_opt_set_preauth_list(io.o, optimistic, 1);
  Creds creds(ctx.get());
  code = krb5_get_init_creds_keytab(ctx.get(), &creds.c, p.p, kt, 0, nullptr, io.o);
  krb5_kt_close(ctx.get(), kt);
  if (code != 0) return krb_error(ctx, "keys", "initial ticket for " + principal, code);
  creds.filled = true;
  return detail::to_credentials(ctx, &creds.c);
}

Result<std::uint32_t> service_key_version(const Context& ctx, const Credentials& tgt,
                                          const std::string& service) {
  auto cc = MemoryCcache::create(ctx, tgt);
  if (!cc) return cc.error();
  detail::Ccache h(ctx.get());
  krb5_error_code code = krb5_cc_resolve(ctx.get(), cc->name().c_str(), &h.cc);
  if (code != 0) return krb_error(ctx, "ccache", "cannot resolve", code);
  Principal server(ctx.get());
  code = krb5_parse_name(ctx.get(), service.c_str(), &server.p);
  if (code != 0) return krb_error(ctx, "service", "cannot parse '" + service + "'", code);
  Creds in(ctx.get());
  code = krb5_cc_get_principal(ctx.get(), h.cc, &in.c.client);
  if (code != 0) return krb_error(ctx, "ccache", "no client principal", code);
  in.filled = true;
  code = krb5_copy_principal(ctx.get(), server.p, &in.c.server);
  if (code != 0) return krb_error(ctx, "service", "copy", code);
  krb5_creds* out = nullptr;
  code = krb5_get_credentials(ctx.get(), 0, h.cc, &in.c, &out);
  if (code != 0) return krb_error(ctx, "service", "ticket for " + service, code);
  krb5_ticket* ticket = nullptr;
  code = krb5_decode_ticket(&out->ticket, &ticket);
  krb5_free_creds(ctx.get(), out);
  if (code != 0) return krb_error(ctx, "service", "cannot decode ticket", code);
  std::uint32_t kvno = ticket->enc_part.kvno;
  krb5_free_ticket(ctx.get(), ticket);
  return kvno;
}

}  // namespace gmsa::krb
