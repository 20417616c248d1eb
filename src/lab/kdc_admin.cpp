#include "gmsa/lab/kdc_admin.hpp"

extern "C" {
#include <kdb.h>  // no C++ guards of its own; kadm5/admin.h includes it too
}
#include <kadm5/admin.h>
#include <krb5/krb5.h>

#include <algorithm>
#include <cstring>

namespace gmsa::lab {
namespace {

std::string krb_msg(krb5_context ctx, krb5_error_code code) {
  const char* m = krb5_get_error_message(ctx, code);
  std::string s = m ? m : "error " + std::to_string(code);
  krb5_free_error_message(ctx, m);
  return s;
}

struct Princ {
  krb5_context ctx;
  krb5_principal p = nullptr;
  ~Princ() {
    if (p) krb5_free_principal(ctx, p);
  }
};

}  // namespace

Result<std::vector<KeySpec>> aes_keys(const SecretBytes& utf8_password, const std::string& salt,
                                      int kvno) {
  krb5_context ctx = nullptr;
  if (krb5_init_context(&ctx) != 0) return Error{"krb5", "cannot initialise a context"};
  std::vector<KeySpec> out;
  for (int enctype : {18, 17}) {
    krb5_data pw{KV5M_DATA, static_cast<unsigned int>(utf8_password.size()),
                 const_cast<char*>(reinterpret_cast<const char*>(utf8_password.data()))};
    krb5_data s{KV5M_DATA, static_cast<unsigned int>(salt.size()), const_cast<char*>(salt.data())};
    krb5_keyblock kb{};
    krb5_error_code rc = krb5_c_string_to_key(ctx, enctype, &pw, &s, &kb);
    if (rc != 0) {
      std::string m = krb_msg(ctx, rc);
      krb5_free_context(ctx);
      return Error{"string-to-key", m};
    }
    out.push_back(KeySpec{kvno, enctype, SecretBytes(kb.contents, kb.length), salt});
    krb5_free_keyblock_contents(ctx, &kb);
  }
  krb5_free_context(ctx);
  return out;
}

struct KdcAdmin::Impl {
  krb5_context ctx = nullptr;
  void* handle = nullptr;
  ~Impl() {
    if (handle) kadm5_destroy(handle);
    if (ctx) krb5_free_context(ctx);
  }
  Result<krb5_principal> parse(const std::string& name) {
    krb5_principal p = nullptr;
    krb5_error_code rc = krb5_parse_name(ctx, name.c_str(), &p);
    if (rc != 0) return Error{name, krb_msg(ctx, rc)};
    return p;
  }
  Status create_nokey(const std::string& name, krb5_principal p) {
    kadm5_principal_ent_rec ent{};
    ent.principal = p;
    kadm5_ret_t rc = kadm5_create_principal_3(handle, &ent, KADM5_PRINCIPAL, 0, nullptr, nullptr);
    if (rc != 0 && rc != KADM5_DUP)
      return Error{name, "create: " + krb_msg(ctx, static_cast<krb5_error_code>(rc))};
    return ok_status();
  }
};

KdcAdmin::KdcAdmin(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
KdcAdmin::~KdcAdmin() = default;

Result<std::unique_ptr<KdcAdmin>> KdcAdmin::open(const std::string& realm) {
  auto impl = std::make_unique<Impl>();
  krb5_error_code rc = kadm5_init_krb5_context(&impl->ctx);
  if (rc != 0) return Error{"kadm5", "cannot initialise a context"};
  kadm5_config_params params{};
  params.mask = KADM5_CONFIG_REALM;
  params.realm = const_cast<char*>(realm.c_str());
  std::string client = "root/admin@" + realm;
  kadm5_ret_t kr = kadm5_init_with_password(
      impl->ctx, const_cast<char*>(client.c_str()), nullptr, const_cast<char*>(KADM5_ADMIN_SERVICE),
      &params, KADM5_STRUCT_VERSION, KADM5_API_VERSION_4, nullptr, &impl->handle);
  if (kr != 0) {
    impl->handle = nullptr;
    return Error{"kadm5", "cannot open the KDC database: " +
                              krb_msg(impl->ctx, static_cast<krb5_error_code>(kr))};
  }
  return std::unique_ptr<KdcAdmin>(new KdcAdmin(std::move(impl)));
}

bool KdcAdmin::exists(const std::string& principal) {
  auto p = impl_->parse(principal);
  if (!p.ok()) return false;
  Princ guard{impl_->ctx, *p};
  kadm5_principal_ent_rec ent{};
  if (kadm5_get_principal(impl_->handle, *p, &ent, KADM5_PRINCIPAL) != 0) return false;
  kadm5_free_principal_ent(impl_->handle, &ent);
  return true;
}

Status KdcAdmin::set_keys(const std::string& principal, const std::vector<KeySpec>& keys) {
  auto p = impl_->parse(principal);
  if (!p.ok()) return p.error();
  Princ guard{impl_->ctx, *p};
  if (auto s = impl_->create_nokey(principal, *p); !s.ok()) return s;
  // kadm5 sets one kvno per call, and in krb5 1.20 its keepold drops the
  // old keys; so the newest kvno goes through kadm5 and older ones are added
  // to the same entry through libkdb5 (the database kadm5 has open).
  std::vector<int> kvnos;
  for (const auto& k : keys) {
    if (std::find(kvnos.begin(), kvnos.end(), k.kvno) == kvnos.end()) kvnos.push_back(k.kvno);
  }
  std::sort(kvnos.rbegin(), kvnos.rend());
  auto to_key_data = [&](int kvno) {
    std::vector<kadm5_key_data> kd;
    for (const auto& k : keys) {
      if (k.kvno != kvno) continue;
      kadm5_key_data d{};
      d.kvno = static_cast<krb5_kvno>(k.kvno);
      d.key.enctype = k.enctype;
      d.key.length = static_cast<unsigned int>(k.key.size());
      d.key.contents = const_cast<krb5_octet*>(k.key.data());
      d.salt.type = KRB5_KDB_SALTTYPE_SPECIAL;
      d.salt.data.length = static_cast<unsigned int>(k.salt.size());
      d.salt.data.data = const_cast<char*>(k.salt.data());
      kd.push_back(d);
    }
    return kd;
  };
  auto newest = to_key_data(kvnos.front());
  kadm5_ret_t rc = kadm5_setkey_principal_4(impl_->handle, *p, FALSE, newest.data(),
                                            static_cast<int>(newest.size()));
  if (rc != 0)
    return Error{principal, "setkey: " + krb_msg(impl_->ctx, static_cast<krb5_error_code>(rc))};
  if (kvnos.size() == 1) return ok_status();

  krb5_context ctx = impl_->ctx;
  krb5_db_entry* ent = nullptr;
  krb5_error_code kr = krb5_db_get_principal(ctx, *p, 0, &ent);
  krb5_keyblock* mkey = nullptr;
  if (kr == 0) kr = krb5_dbe_find_mkey(ctx, ent, &mkey);
  for (std::size_t i = 1; kr == 0 && i < kvnos.size(); ++i) {
    for (auto& d : to_key_data(kvnos[i])) {
      kr = krb5_dbe_create_key_data(ctx, ent);
      if (kr != 0) break;
      kr = krb5_dbe_encrypt_key_data(ctx, mkey, &d.key, &d.salt, static_cast<int>(d.kvno),
                                     &ent->key_data[ent->n_key_data - 1]);
      if (kr != 0) break;
    }
  }
  if (kr == 0) {
    krb5_dbe_sort_key_data(ent->key_data, static_cast<std::size_t>(ent->n_key_data));
    ent->mask = KADM5_KEY_DATA;
    kr = krb5_db_put_principal(ctx, ent);
  }
  if (ent) krb5_db_free_principal(ctx, ent);
  if (kr != 0) return Error{principal, "adding previous keys: " + krb_msg(ctx, kr)};
  return ok_status();
}

Status KdcAdmin::create_random(const std::string& principal, const std::string& keytab) {
  auto p = impl_->parse(principal);
  if (!p.ok()) return p.error();
  Princ guard{impl_->ctx, *p};
  if (auto s = impl_->create_nokey(principal, *p); !s.ok()) return s;
  krb5_keyblock* kbs = nullptr;
  int n = 0;
  kadm5_ret_t rc = kadm5_randkey_principal(impl_->handle, *p, &kbs, &n);
  if (rc != 0)
    return Error{principal, "randkey: " + krb_msg(impl_->ctx, static_cast<krb5_error_code>(rc))};
  kadm5_principal_ent_rec ent{};
  int kvno = 1;
  if (kadm5_get_principal(impl_->handle, *p, &ent, KADM5_KVNO) == 0) {
    kvno = static_cast<int>(ent.kvno);
    kadm5_free_principal_ent(impl_->handle, &ent);
  }
  std::vector<KeySpec> keys;
  for (int i = 0; i < n; ++i) {
    keys.push_back(KeySpec{kvno, kbs[i].enctype, SecretBytes(kbs[i].contents, kbs[i].length), ""});
    krb5_free_keyblock_contents(impl_->ctx, &kbs[i]);
  }
  free(kbs);
  return write_keytab(keytab, principal, keys);
}

Status KdcAdmin::create_with_password(const std::string& principal, const SecretBytes& password) {
  auto p = impl_->parse(principal);
  if (!p.ok()) return p.error();
  Princ guard{impl_->ctx, *p};
  std::string pw(reinterpret_cast<const char*>(password.data()), password.size());
  kadm5_principal_ent_rec ent{};
  ent.principal = *p;
  kadm5_ret_t rc = kadm5_create_principal(impl_->handle, &ent, KADM5_PRINCIPAL, pw.data());
  if (rc == KADM5_DUP) rc = kadm5_chpass_principal(impl_->handle, *p, pw.data());
  secure_wipe(pw.data(), pw.size());
  if (rc != 0)
    return Error{principal, "create: " + krb_msg(impl_->ctx, static_cast<krb5_error_code>(rc))};
  return ok_status();
}

Status write_keytab(const std::string& keytab, const std::string& principal,
                    const std::vector<KeySpec>& keys) {
  krb5_context ctx = nullptr;
  if (krb5_init_context(&ctx) != 0) return Error{"krb5", "cannot initialise a context"};
  krb5_keytab kt = nullptr;
  krb5_principal p = nullptr;
  std::string name = "FILE:" + keytab;
  krb5_error_code rc = krb5_kt_resolve(ctx, name.c_str(), &kt);
  if (rc == 0) rc = krb5_parse_name(ctx, principal.c_str(), &p);
  for (std::size_t i = 0; rc == 0 && i < keys.size(); ++i) {
    krb5_keytab_entry e{};
    e.principal = p;
    e.vno = static_cast<krb5_kvno>(keys[i].kvno);
    e.key.enctype = keys[i].enctype;
    e.key.length = static_cast<unsigned int>(keys[i].key.size());
    e.key.contents = const_cast<krb5_octet*>(keys[i].key.data());
    rc = krb5_kt_add_entry(ctx, kt, &e);
  }
  std::string msg = rc ? krb_msg(ctx, rc) : "";
  if (p) krb5_free_principal(ctx, p);
  if (kt) krb5_kt_close(ctx, kt);
  krb5_free_context(ctx);
  if (rc != 0) return Error{keytab, msg};
  return ok_status();
}

}  // namespace gmsa::lab
