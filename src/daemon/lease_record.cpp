// Lease records and journal lines as JSON (docs/formats/lease-store.md).
#include <nlohmann/json.hpp>

#include "gmsa/daemon/lease_id.hpp"
#include "gmsa/daemon/store.hpp"

namespace gmsa::daemon {

using json = nlohmann::json;

std::string to_string(LeaseKind kind) {
  switch (kind) {
    case LeaseKind::kDomainJoined:
      return "domain-joined";
    case LeaseKind::kDomainless:
      return "domainless";
    case LeaseKind::kKeytab:
      return "keytab";
  }
  return "domain-joined";
}

std::optional<LeaseKind> lease_kind_from(std::string_view s) {
  if (s == "domain-joined") return LeaseKind::kDomainJoined;
  if (s == "domainless") return LeaseKind::kDomainless;
  if (s == "keytab") return LeaseKind::kKeytab;
  return std::nullopt;
}

namespace {

json lease_json(const LeaseRecord& r) {
  json owner = json::object();
  if (r.owner.uid) owner["uid"] = *r.owner.uid;
  if (r.owner.gid) owner["gid"] = *r.owner.gid;
  owner["mode"] = r.owner.mode & 07777;
  json accounts = json::array();
  for (const auto& a : r.accounts)
    accounts.push_back({{"account", a.account}, {"domain", a.domain}});
  json j = {{"version", kLeaseStoreVersion}, {"id", r.id},     {"kind", to_string(r.kind)},
            {"created", r.created_unix},     {"owner", owner}, {"accounts", accounts}};
  if (!r.user.empty()) j["user"] = {{"name", r.user}, {"domain", r.user_domain}};
  if (r.process) j["process"] = {{"pid", r.process->pid}, {"start_time", r.process->start_time}};
  return j;
}

template <class T>
Result<T> get(const json& j, const char* key, const std::string& where) {
  auto it = j.find(key);
  if (it == j.end()) return make_error(where + key, "missing");
  try {
    return it->get<T>();
  } catch (const json::exception&) {
    return make_error(where + key, "wrong type");
  }
}

Result<LeaseRecord> decode_lease_object(const json& j) {
  if (!j.is_object()) return make_error("", "not a JSON object");
  auto version = get<int>(j, "version", "");
  if (!version) return version.error();
  if (*version != 1 && *version != kLeaseStoreVersion) {
    return make_error("version", "unsupported version " + std::to_string(*version));
  }
  LeaseRecord r;
  auto id = get<std::string>(j, "id", "");
  if (!id) return id.error();
  if (auto st = validate_lease_id(*id); !st) return st.error();
  r.id = *id;
  auto kind = get<std::string>(j, "kind", "");
  if (!kind) return kind.error();
  auto k = lease_kind_from(*kind);
  if (!k) return make_error("kind", "unknown kind '" + *kind + "'");
  r.kind = *k;
  auto created = get<std::int64_t>(j, "created", "");
  if (!created) return created.error();
  r.created_unix = *created;
  if (!j.contains("owner") || !j["owner"].is_object()) return make_error("owner", "missing");
  const json& o = j["owner"];
  if (o.contains("uid")) {
    auto u = get<std::uint32_t>(o, "uid", "owner.");
    if (!u) return u.error();
    r.owner.uid = *u;
  }
  if (o.contains("gid")) {
    auto g = get<std::uint32_t>(o, "gid", "owner.");
    if (!g) return g.error();
    r.owner.gid = *g;
  }
  auto mode = get<std::uint32_t>(o, "mode", "owner.");
  if (!mode) return mode.error();
  if (*mode > 0777) return make_error("owner.mode", "only permission bits are allowed");
  r.owner.mode = *mode;
  if (!j.contains("accounts") || !j["accounts"].is_array() || j["accounts"].empty()) {
    return make_error("accounts", "must be a non-empty array");
  }
  for (std::size_t i = 0; i < j["accounts"].size(); ++i) {
    std::string where = "accounts[" + std::to_string(i) + "].";
    const json& a = j["accounts"][i];
    if (!a.is_object()) return make_error(where, "not an object");
    auto acc = get<std::string>(a, "account", where);
    if (!acc) return acc.error();
    auto dom = get<std::string>(a, "domain", where);
    if (!dom) return dom.error();
    r.accounts.push_back({*acc, *dom});
  }
  if (j.contains("user")) {
    auto name = get<std::string>(j["user"], "name", "user.");
    if (!name) return name.error();
    auto dom = get<std::string>(j["user"], "domain", "user.");
    if (!dom) return dom.error();
    if (name->empty()) return make_error("user.name", "must not be empty");
    r.user = *name;
    r.user_domain = *dom;
  }
  if (j.contains("process")) {
    if (*version < 2) return make_error("process", "not allowed in version 1");
    if (!j["process"].is_object()) return make_error("process", "not an object");
    auto pid = get<std::int64_t>(j["process"], "pid", "process.");
    if (!pid) return pid.error();
    if (*pid <= 0 || *pid > INT32_MAX)
      return make_error("process.pid", "must be a positive process id");
    auto start = get<std::uint64_t>(j["process"], "start_time", "process.");
    if (!start) return start.error();
    r.process = BoundProcess{static_cast<std::int32_t>(*pid), *start};
  }
  return r;
}

}  // namespace

std::string encode_lease(const LeaseRecord& r) { return lease_json(r).dump(2) + "\n"; }

Result<LeaseRecord> decode_lease(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return make_error("", "not a JSON object");
  return decode_lease_object(j);
}

std::string encode_journal_add(const LeaseRecord& r) {
  json j = json::object();
  j["add"] = lease_json(r);
  return j.dump() + "\n";
}

std::string encode_journal_delete(const std::string& id) {
  json j = json::object();
  j["delete"] = id;
  return j.dump() + "\n";
}

Result<JournalEntry> decode_journal_line(std::string_view line) {
  json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return make_error("", "not a JSON object");
  if (j.size() != 1 || !(j.contains("add") || j.contains("delete"))) {
    return make_error("", "must hold exactly one of \"add\" or \"delete\"");
  }
  JournalEntry e;
  if (j.contains("add")) {
    auto r = decode_lease_object(j["add"]);
    if (!r) {
      const Error& err = r.error();
      return make_error(err.field.empty() ? "add" : "add." + err.field, err.message);
    }
    e.op = JournalEntry::Op::kAdd;
    e.id = r->id;
    e.record = std::move(r).value();
    return e;
  }
  if (!j["delete"].is_string()) return make_error("delete", "wrong type");
  e.op = JournalEntry::Op::kDelete;
  e.id = j["delete"].get<std::string>();
  if (auto st = validate_lease_id(e.id); !st) return make_error("delete", st.error().message);
  return e;
}

}  // namespace gmsa::daemon
