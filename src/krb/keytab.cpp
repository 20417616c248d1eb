// FILE keytab writer (current and previous keys with their kvno).
#include <fcntl.h>
#include <krb5/krb5.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "gmsa/krb/krb.hpp"
#include "internal.hpp"

namespace gmsa::krb {

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
  std::string tmp = detail::temp_path_for(path);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return make_error("keytab", "cannot create " + tmp + ": " + std::strerror(errno));
  const unsigned char header[2] = {0x05, 0x02};
  bool header_ok = ::write(fd, header, sizeof header) == static_cast<ssize_t>(sizeof header);
  ::close(fd);
  if (!header_ok) {
    ::unlink(tmp.c_str());
    return make_error("keytab", "cannot write " + tmp);
  }
  std::string name = "FILE:" + tmp;
  krb5_keytab kt = nullptr;
  code = krb5_kt_resolve(ctx.get(), name.c_str(), &kt);
  if (code != 0) {
    ::unlink(tmp.c_str());
    return detail::krb_error(ctx, "keytab", "cannot resolve " + tmp, code);
  }
  for (const KeytabKey& k : keys) {
    krb5_keytab_entry e{};
    e.principal = p.p;
    e.vno = k.kvno;
    e.key.magic = KV5M_KEYBLOCK;
    e.key.enctype = k.enctype;
    e.key.length = static_cast<unsigned int>(k.key.size());
    e.key.contents = const_cast<krb5_octet*>(k.key.data());
    code = krb5_kt_add_entry(ctx.get(), kt, &e);
    if (code != 0) {
      krb5_kt_close(ctx.get(), kt);
      ::unlink(tmp.c_str());
      return detail::krb_error(ctx, "keytab", "cannot add key to " + tmp, code);
    }
  }
  krb5_kt_close(ctx.get(), kt);
  return detail::publish_file(tmp, path, owner, "keytab");
}

}  // namespace gmsa::krb
