// `gmsa gkdi`: derive a gMSA password from a KDS root key the way a DC does
// (MS-GKDI), and show the rotation schedule. See docs/formats/gkdi.md.

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <istream>
#include <iterator>
#include <ostream>
#include <sstream>

#include "gmsa/cli/cli.hpp"
#include "gmsa/common/clock.hpp"
#include "gmsa/common/encoding.hpp"
#include "gmsa/gkdi/gkdi.hpp"
#include "gmsa/keys/keys.hpp"

namespace gmsa::cli {
namespace {

using namespace std::chrono;
namespace gk = gmsa::gkdi;

constexpr std::uint64_t k100nsPerSecond = 10'000'000;

void usage(std::ostream& os) {
  os << "usage:\n"
        "  gmsa gkdi password --root-key-id GUID --root-key-data @FILE|-|HEX [--kdf-hash SHA512]\n"
        "                     --sid SID (--gkid L0,L1,L2 | --time T --created T [--interval-days "
        "30])\n"
        "                     [--domain DNS] [--forest DNS] [--show-secret]\n"
        "  gmsa gkdi schedule --created T --interval-days N [--time T]\n"
        "T is NT time (100 ns units since 1601) or ISO 8601 UTC (2024-01-31T12:00:00Z).\n"
        "--root-key-data is a secret: give @FILE (hex text) or - (hex on stdin).\n";
}

template <class T>
bool parse_uint(std::string_view s, T& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

sys_days nt_epoch() { return sys_days{year{1601} / January / 1}; }

// NT time or "YYYY-MM-DDTHH:MM:SS[.fraction]Z".
Result<std::uint64_t> parse_time(const std::string& text, const std::string& field) {
  std::uint64_t nt = 0;
  if (parse_uint(text, nt)) return nt;
  const Error bad{field,
                  "expected NT time (100 ns units since 1601) or ISO 8601 UTC like "
                  "2024-01-31T12:00:00Z"};
  int y = 0;
  unsigned mo = 0, d = 0, h = 0, mi = 0, s = 0;
  int n = 0;
  if (std::sscanf(text.c_str(), "%4d-%2u-%2uT%2u:%2u:%2u%n", &y, &mo, &d, &h, &mi, &s, &n) != 6 ||
      n != 19)
    return bad;
  std::string_view rest = std::string_view(text).substr(19);
  std::uint64_t frac = 0;
  if (!rest.empty() && rest[0] == '.') {
    std::size_t digits = 0;
    while (digits + 1 < rest.size() && rest[digits + 1] >= '0' && rest[digits + 1] <= '9') {
      if (digits < 7) frac = frac * 10 + static_cast<std::uint64_t>(rest[digits + 1] - '0');
      ++digits;
    }
    if (digits == 0) return bad;
    for (std::size_t k = digits; k < 7; ++k) frac *= 10;
    rest = rest.substr(digits + 1);
  }
  year_month_day ymd{year{y}, month{mo}, day{d}};
  if (rest != "Z" || !ymd.ok() || h > 23 || mi > 59 || s > 59 || y < 1601) return bad;
  auto days_since = (sys_days{ymd} - nt_epoch()).count();
  return (static_cast<std::uint64_t>(days_since) * 86400 + h * 3600ULL + mi * 60ULL + s) *
             k100nsPerSecond +
         frac;
}

std::string format_time(std::uint64_t nt) {
  const std::uint64_t secs = nt / k100nsPerSecond, frac = nt % k100nsPerSecond;
  year_month_day ymd{nt_epoch() + days{static_cast<long>(secs / 86400)}};
  const std::uint64_t tod = secs % 86400;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02u:%02u:%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<unsigned>(tod / 3600), static_cast<unsigned>(tod / 60 % 60),
                static_cast<unsigned>(tod % 60));
  std::string out = std::to_string(nt) + " (" + buf;
  if (frac != 0) {
    std::snprintf(buf, sizeof buf, ".%07u", static_cast<unsigned>(frac));
    out += buf;
  }
  return out + "Z)";
}

std::string format_duration(std::uint64_t d) {
  const std::uint64_t secs = d / k100nsPerSecond;
  return std::to_string(d) + " (" + std::to_string(secs / 3600) + "h" +
         std::to_string(secs / 60 % 60) + "m" + std::to_string(secs % 60) + "s)";
}

std::string format_gkid(const gk::Gkid& g) {
  return std::to_string(g.l0) + "," + std::to_string(g.l1) + "," + std::to_string(g.l2);
}

Result<gk::Gkid> parse_gkid(const std::string& text) {
  gk::Gkid g;
  std::int32_t* parts[] = {&g.l0, &g.l1, &g.l2};
  std::size_t pos = 0;
  for (int i = 0; i < 3; ++i) {
    const std::size_t end = i < 2 ? text.find(',', pos) : text.size();
    if (end == std::string::npos) return Error{"--gkid", "expected L0,L1,L2 (three integers)"};
    const char* b = text.data() + pos;
    auto [p, ec] = std::from_chars(b, text.data() + end, *parts[i]);
    if (ec != std::errc() || p != text.data() + end || b == p)
      return Error{"--gkid", "expected L0,L1,L2 (three integers)"};
    pos = end + 1;
  }
  return g;
}

Result<std::uint32_t> parse_interval(const ParsedArgs& a) {
  const std::string* v = a.option("interval-days");
  if (v == nullptr) return std::uint32_t{30};
  std::uint32_t days = 0;
  if (!parse_uint(*v, days) || days == 0 || days > 2147483647U)
    return Error{"--interval-days", "must be an integer 1..2147483647"};
  return days;
}

// Root key data as hex from @FILE, stdin ("-") or (discouraged) argv.
Result<SecretBytes> read_root_key(const std::string& spec, Io io) {
  std::string text;
  if (spec == "-") {
    text.assign(std::istreambuf_iterator<char>(io.in), std::istreambuf_iterator<char>());
  } else if (!spec.empty() && spec[0] == '@') {
    std::ifstream f(spec.substr(1), std::ios::binary);
    if (!f) return Error{"--root-key-data", "cannot read file '" + spec.substr(1) + "'"};
    f.seekg(0, std::ios::end);
    text.reserve(static_cast<std::size_t>(std::max<std::streamoff>(0, f.tellg())));
    f.seekg(0);
    text.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  } else {
    io.err << "warning: --root-key-data given on the command line is visible to other users "
              "(ps, shell history); use @FILE or -\n";
    text = spec;
  }
  std::string trimmed;
  trimmed.reserve(text.size());  // no reallocation leaves copies behind
  for (char c : text)
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') trimmed.push_back(c);
  secure_wipe(text.data(), text.size());
  auto bytes = from_hex(trimmed);
  secure_wipe(trimmed.data(), trimmed.size());
  if (!bytes) return Error{"--root-key-data", "is not valid hex"};
  SecretBytes out(*bytes);
  secure_wipe(bytes->data(), bytes->size());
  if (out.empty()) return Error{"--root-key-data", "is empty"};
  return out;
}

int fail(Io io, const Error& e, int code) {
  io.err << "gmsa gkdi: " << e.what() << "\n";
  return code;
}

int password_main(const Args& args, Io io) {
  auto parsed = parse_args(args,
                           {"root-key-id", "root-key-data", "kdf-hash", "sid", "gkid", "time",
                            "created", "interval-days", "domain", "forest"},
                           {"show-secret", "help"});
  if (!parsed) return fail(io, parsed.error(), kExitUsage);
  const ParsedArgs& a = *parsed;
  if (a.has("help")) {
    usage(io.out);
    return kExitOk;
  }
  if (!a.positional.empty()) return fail(io, {a.positional[0], "unexpected argument"}, kExitUsage);
  for (const char* required : {"root-key-id", "root-key-data", "sid"})
    if (a.option(required) == nullptr)
      return fail(io, {std::string("--") + required, "is required"}, kExitUsage);
  auto id = Guid::parse(*a.option("root-key-id"));
  if (!id) return fail(io, {"--root-key-id", id.error().what()}, kExitUsage);
  auto sid = Sid::parse(*a.option("sid"));
  if (!sid) return fail(io, {"--sid", sid.error().what()}, kExitUsage);

  gk::Gkid gkid;
  std::optional<gk::RotationSchedule> schedule;
  std::uint64_t now = 0;
  if (a.option("gkid") != nullptr) {
    for (const char* other : {"time", "created", "interval-days"})
      if (a.option(other) != nullptr)
        return fail(io, {"--gkid", std::string("cannot be combined with --") + other}, kExitUsage);
    auto g = parse_gkid(*a.option("gkid"));
    if (!g) return fail(io, g.error(), kExitUsage);
    gkid = *g;
  } else {
    if (a.option("time") == nullptr || a.option("created") == nullptr)
      return fail(io, {"--gkid", "give --gkid L0,L1,L2, or --time with --created"}, kExitUsage);
    auto t = parse_time(*a.option("time"), "--time");
    auto c = parse_time(*a.option("created"), "--created");
    auto days = parse_interval(a);
    if (!t) return fail(io, t.error(), kExitUsage);
    if (!c) return fail(io, c.error(), kExitUsage);
    if (!days) return fail(io, days.error(), kExitUsage);
    now = *t;
    schedule = gk::RotationSchedule{*c, *days};
    gkid = schedule->current_gkid(now);
  }

  gk::RootKey root;
  root.id = *id;
  if (const std::string* h = a.option("kdf-hash")) root.kdf_hash = *h;
  auto data = read_root_key(*a.option("root-key-data"), io);
  if (!data) return fail(io, data.error(), kExitUsage);
  root.data = std::move(*data);

  auto password = gk::gmsa_password(root, *sid, gkid);
  if (!password) return fail(io, password.error(), kExitFailure);
  auto hash = keys::nt_hash(password->span());
  if (!hash) return fail(io, hash.error(), kExitFailure);

  gk::ManagedPasswordId pid{gkid, root.id, a.option("domain") ? *a.option("domain") : "",
                            a.option("forest") ? *a.option("forest") : ""};
  io.out << "gkid: " << format_gkid(gkid) << "\n";
  io.out << "key-start: "
         << format_time(static_cast<std::uint64_t>(gkid.cycle()) * gk::kKeyCycle100ns) << "\n";
  if (schedule) io.out << "next-change: " << format_time(schedule->next_change_nt(now)) << "\n";
  io.out << "msDS-ManagedPasswordId: " << to_hex(encode_password_id(pid)) << "\n";
  io.out << "nt-hash: " << to_hex(hash->span()) << "\n";
  io.err << "note: the NT hash is password-equivalent (it authenticates as the gMSA); it is "
            "printed so results can be checked against test vectors\n";
  if (a.has("show-secret")) io.out << "password-utf16le: " << to_hex(password->span()) << "\n";
  return kExitOk;
}

int schedule_main(const Args& args, Io io) {
  auto parsed = parse_args(args, {"created", "interval-days", "time"}, {"help"});
  if (!parsed) return fail(io, parsed.error(), kExitUsage);
  const ParsedArgs& a = *parsed;
  if (a.has("help")) {
    usage(io.out);
    return kExitOk;
  }
  if (!a.positional.empty()) return fail(io, {a.positional[0], "unexpected argument"}, kExitUsage);
  if (a.option("created") == nullptr) return fail(io, {"--created", "is required"}, kExitUsage);
  if (a.option("interval-days") == nullptr)
    return fail(io, {"--interval-days", "is required"}, kExitUsage);
  auto c = parse_time(*a.option("created"), "--created");
  if (!c) return fail(io, c.error(), kExitUsage);
  auto days = parse_interval(a);
  if (!days) return fail(io, days.error(), kExitUsage);
  std::uint64_t now = to_nt_time(RealClock().now());
  if (const std::string* t = a.option("time")) {
    auto parsed_t = parse_time(*t, "--time");
    if (!parsed_t) return fail(io, parsed_t.error(), kExitUsage);
    now = *parsed_t;
  }
  const gk::RotationSchedule s{*c, *days};
  const auto st = gk::password_state(s, now);
  const std::uint64_t change = s.next_change_nt(now);
  io.out << "created: " << format_time(s.created_nt) << "\n";
  io.out << "period: " << s.period_cycles() << " key cycles of 10 h (" << *days << " days)\n";
  io.out << "time: " << format_time(now) << "\n";
  io.out << "key-in-force: " << format_gkid(s.current_gkid(now)) << "\n";
  io.out << "next-change: " << format_time(change) << "\n";
  io.out << "in-lead-window: " << (change - now <= gk::kRotationLead100ns ? "yes" : "no") << "\n";
  io.out << "current: " << format_gkid(st.current) << "\n";
  io.out << "previous: " << (st.previous ? format_gkid(*st.previous) : "none") << "\n";
  io.out << "query-interval: " << format_duration(st.query_interval_100ns) << "\n";
  io.out << "unchanged-interval: " << format_duration(st.unchanged_interval_100ns) << "\n";
  return kExitOk;
}

int gkdi_main(const Args& args, Io io) {
  if (args.empty()) {
    usage(io.err);
    return kExitUsage;
  }
  const Args rest(args.begin() + 1, args.end());
  if (args[0] == "password") return password_main(rest, io);
  if (args[0] == "schedule") return schedule_main(rest, io);
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    usage(io.out);
    return kExitOk;
  }
  io.err << "gmsa gkdi: unknown subcommand '" << args[0] << "'\n";
  usage(io.err);
  return kExitUsage;
}

[[maybe_unused]] const bool registered = register_command(
    {"gkdi", 30, "derive gMSA passwords from a KDS root key (MS-GKDI); rotation schedule",
     gkdi_main});

}  // namespace
}  // namespace gmsa::cli
