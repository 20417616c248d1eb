// FILE keytab writer (current and previous keys with their kvno).
#include <krb5/krb5.h>
#include <unistd.h>

#include <string>

#include "gmsa/common/atomic_file.hpp"
#include "gmsa/krb/krb.hpp"
#include "internal.hpp"

namespace gmsa::krb {

namespace detail {
krb5_error_code add_keys(krb5_context ctx, krb5_keytab kt, krb5_principal principal,
                         const std::vector<KeytabKey>& keys) {
  for (const KeytabKey& k : keys) {
    krb5_keytab_entry e{};
    e.principal = principal;
    e.vno = k.kvno;
    e.key.magic = KV5M_KEYBLOCK;
    e.key.enctype = k.enctype;
    e.key.length = static_cast<unsigned int>(k.key.size());
    e.key.contents = const_cast<krb5_octet*>(k.key.data());
    if (krb5_error_code code = krb5_kt_add_entry(ctx, kt, &e); code != 0) return code;  // copies
  }
  return 0;
}
}  // namespace detail

Status write_keytab_file(const Context& ctx, const std::string& path, const std::string& principal,
                         const std::vector<KeytabKey>& keys, const FileOwnership& owner) {
  if (keys.empty()) return make_error("keytab", "no keys to write");
  detail::Principal p(ctx.get());
  krb5_error_code code = krb5_parse_name(ctx.get(), principal.c_str(), &p.p);
  if (code != 0)
    return detail::krb_error(ctx, "principal", "cannot parse '" + principal + "'", code);
  // We create the file (O_EXCL, 0600) with the keytab format's version
  // header 0x0502, so libkrb5 appends entries to a file that was never
  // readable by anyone else, instead of creating one with the umask's mode.
  static constexpr std::uint8_t kHeader[2] = {0x05, 0x02};
  auto created = create_temp_file(path, kHeader, "keytab", owner);
  if (!created) return created.error();
  const std::string& tmp = *created;
  std::string name = "FILE:" + tmp;
  krb5_keytab kt = nullptr;
  code = krb5_kt_resolve(ctx.get(), name.c_str(), &kt);
  if (code != 0) {
    ::unlink(tmp.c_str());
    return detail::krb_error(ctx, "keytab", "cannot resolve " + tmp, code);
  }
  code = detail::add_keys(ctx.get(), kt, p.p, keys);
  if (code != 0) {
    krb5_kt_close(ctx.get(), kt);
    ::unlink(tmp.c_str());
    return detail::krb_error(ctx, "keytab", "cannot add key to " + tmp, code);
  }
  krb5_kt_close(ctx.get(), kt);
  return publish_temp_file(tmp, path, owner, "keytab");
}

}  // namespace gmsa::krb
