// Text and JSON renderings of a check report.
#include <sstream>

#include "gmsa/credspec/strict_json.hpp"
#include "gmsa/taskdef/taskdef.hpp"

namespace gmsa::taskdef {
namespace {

std::string_view severity_name(Severity s) { return s == Severity::kError ? "error" : "warning"; }

std::string plural(std::size_t n, std::string_view one) {
  return std::to_string(n) + " " + std::string(one) + (n == 1 ? "" : "s");
}

}  // namespace

std::string format_text(const Report& r) {
  std::ostringstream os;
  for (const auto& f : r.findings) {
    os << severity_name(f.severity) << " ";
    if (!f.container.empty()) os << "[" << f.container << "] ";
    os << (f.field.empty() ? "" : f.field + ": ") << f.message << "\n";
  }
  os << plural(r.containers, "container") << " on " << platform_name(r.platform) << ", "
     << plural(r.specs_checked, "credential spec")
     << " checked: " << plural(r.count(Severity::kError), "error") << ", "
     << plural(r.count(Severity::kWarning), "warning") << "\n";
  return os.str();
}

std::string format_json(const Report& r) {
  json::Value out = json::Value::object();
  out["platform"] = platform_name(r.platform);
  out["containers"] = r.containers;
  out["specsChecked"] = r.specs_checked;
  out["errors"] = r.count(Severity::kError);
  out["warnings"] = r.count(Severity::kWarning);
  json::Value& list = out["findings"] = json::Value::array();
  for (const auto& f : r.findings) {
    list.push_back(json::Value{{"severity", severity_name(f.severity)},
                               {"container", f.container},
                               {"field", f.field},
                               {"message", f.message}});
  }
  return out.dump(2, ' ', false, json::Value::error_handler_t::replace) + "\n";
}

}  // namespace gmsa::taskdef
