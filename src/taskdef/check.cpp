// The task definition rules (docs/taskdef-check.md).
#include <algorithm>
#include <utility>

#include "gmsa/credspec/strict_json.hpp"
#include "gmsa/taskdef/taskdef.hpp"

namespace gmsa::taskdef {
namespace {

using json::Value;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

class Checker {
 public:
  Checker(SpecStore& store, const CheckOptions& options) : store_(store), options_(options) {}

  Report run(std::string_view text) {
    auto doc = json::read(text, {options_.max_bytes, options_.max_depth});
    if (!doc) {
      error("", doc.error().field, doc.error().message);
      return std::move(report_);
    }
    const Value* td = &*doc;
    if (td->is_object() && !td->contains("containerDefinitions") &&
        td->contains("taskDefinition")) {
      td = &(*td)["taskDefinition"];  // `aws ecs describe-task-definition` output
      base_ = "taskDefinition.";
    }
    if (!td->is_object()) {
      error("", base_.empty() ? "" : "taskDefinition", "task definition must be a JSON object");
      return std::move(report_);
    }
    platform(*td);
    fargate_ = requires_fargate(*td);
    const std::string cd = base_ + "containerDefinitions";
    auto it = td->find("containerDefinitions");
    if (it == td->end()) {
      error("", cd, "missing");
    } else if (!it->is_array()) {
      error("", cd, "must be an array");
    } else if (it->empty()) {
      error("", cd, "must have at least one entry");
    } else {
      report_.containers = it->size();
      for (std::size_t i = 0; i < it->size(); ++i) container((*it)[i], json::index_path(cd, i));
      if (!any_ref_) warn("", cd, "no container references a credential spec");
    }
    return std::move(report_);
  }

 private:
  struct Entry {
    std::string field;
    std::string text;
  };

  void add(Severity s, const std::string& c, std::string field, std::string message) {
    report_.findings.push_back(Finding{s, c, std::move(field), std::move(message)});
  }
  void error(const std::string& c, std::string f, std::string m) {
    add(Severity::kError, c, std::move(f), std::move(m));
  }
  void warn(const std::string& c, std::string f, std::string m) {
    add(Severity::kWarning, c, std::move(f), std::move(m));
  }

  void platform(const Value& td) {
    std::optional<Platform> declared;
    std::string family;
    const std::string rp = base_ + "runtimePlatform";
    const std::string osf = rp + ".operatingSystemFamily";
    if (auto it = td.find("runtimePlatform"); it != td.end()) {
      if (!it->is_object()) {
        error("", rp, "must be an object");
      } else if (auto f = it->find("operatingSystemFamily"); f != it->end()) {
        if (!f->is_string()) {
          error("", osf, "must be a string");
        } else {
          family = f->get<std::string>();
          declared = platform_from_os_family(family);
          if (!declared) error("", osf, "unknown operating system family '" + family + "'");
        }
      }
    }
    report_.platform = options_.platform.value_or(declared.value_or(Platform::kLinux));
    if (options_.platform && declared && *declared != *options_.platform)
      warn("", osf,
           "is " + family + " but --platform " + std::string(platform_name(*options_.platform)) +
               " was given; checking for " + std::string(platform_name(*options_.platform)));
  }

  static bool requires_fargate(const Value& td) {
    auto it = td.find("requiresCompatibilities");
    if (it == td.end() || !it->is_array()) return false;
    return std::any_of(it->begin(), it->end(), [](const Value& v) {
      return v.is_string() && v.get<std::string>() == "FARGATE";
    });
  }

  // Strings of an optional array field; errors for a non-array or non-strings.
  std::vector<Entry> strings(const Value& c, const std::string& path, const std::string& name,
                             std::string_view key) {
    std::vector<Entry> out;
    auto it = c.find(std::string(key));
    if (it == c.end()) return out;
    const std::string f = json::join_path(path, key);
    if (!it->is_array()) {
      error(name, f, "must be an array of strings");
      return out;
    }
    for (std::size_t j = 0; j < it->size(); ++j) {
      const Value& v = (*it)[j];
      if (!v.is_string())
        error(name, json::index_path(f, j), "must be a string");
      else
        out.push_back(Entry{json::index_path(f, j), v.get<std::string>()});
    }
    return out;
  }

  void container(const Value& c, const std::string& path) {
    if (!c.is_object()) {
      error("", path, "must be an object");
      return;
    }
    std::string name;
    if (auto it = c.find("name"); it == c.end())
      error("", path + ".name", "missing");
    else if (!it->is_string())
      error("", path + ".name", "must be a string");
    else
      name = it->get<std::string>();

    const std::vector<Entry> specs = strings(c, path, name, "credentialSpecs");
    if (auto it = c.find("credentialSpecs"); it != c.end() && it->is_array() && it->size() > 1)
      error(name, path + ".credentialSpecs",
            "has " + std::to_string(it->size()) + " entries; ECS allows at most one");
    std::vector<Entry> options;
    for (auto& e : strings(c, path, name, "dockerSecurityOptions"))
      if (lower(e.text).rfind("credentialspec", 0) == 0) options.push_back(std::move(e));

    const bool use_specs = !specs.empty();
    if (use_specs || !options.empty()) any_ref_ = true;
    if (use_specs) {
      for (const auto& e : options)
        warn(name, e.field, "ignored: credentialSpecs takes precedence over dockerSecurityOptions");
    } else if (options.size() > 1) {
      error(name, path + ".dockerSecurityOptions",
            "has " + std::to_string(options.size()) +
                " credentialspec entries; at most one is allowed");
    }

    std::optional<credspec::CredentialSpec> first;
    bool referenced = false;
    for (const auto& e : use_specs ? specs : options) {
      auto ref = parse_spec_ref(e.text);
      if (!ref) {
        error(name, e.field, ref.error().message);
        continue;
      }
      if (ref->domainless && !use_specs) {
        error(name, e.field, "credentialspecdomainless: is only accepted in credentialSpecs");
        continue;
      }
      referenced = true;
      rules(*ref, name, e.field);
      if (auto spec = load(*ref, name, e.field); spec && !first) first = std::move(spec);
    }
    if (referenced && report_.platform == Platform::kWindows2016) hostname(c, path, name, first);
  }

  // Rules that depend on the reference itself and the platform.
  void rules(const SpecRef& ref, const std::string& name, const std::string& field) {
    if (ref.domainless && report_.platform == Platform::kWindows2016)
      error(name, field,
            "domainless gMSA (credentialspecdomainless:) is not supported on Windows Server 2016");
    if (fargate_ && !ref.domainless)
      error(name, field, "Fargate supports only domainless gMSA (credentialspecdomainless:)");
    if (fargate_ && ref.source == SpecSource::kFile)
      error(name, field, "Fargate cannot read file:// credential specs; use an S3 or SSM ARN");
  }

  std::optional<credspec::CredentialSpec> load(const SpecRef& ref, const std::string& name,
                                               const std::string& field) {
    if (ref.source == SpecSource::kS3) {
      warn(name, field, "S3 ARN: cannot be fetched offline; the credential spec was not checked");
      return std::nullopt;
    }
    if (ref.source == SpecSource::kSsm) {
      warn(name, field,
           "SSM parameter ARN: cannot be fetched offline; the credential spec was not checked");
      return std::nullopt;
    }
    const std::string where = "file://" + ref.location + ": ";
    auto text = store_.read(ref.location);
    if (!text) {
      error(name, field, where + text.error().message);
      return std::nullopt;
    }
    auto spec = credspec::parse(*text);
    if (!spec) {
      error(name, field, where + "invalid credential spec: " + spec.error().what());
      return std::nullopt;
    }
    ++report_.specs_checked;
    if (ref.domainless && !spec->host_account)
      error(name, field,
            where +
                "credentialspecdomainless: needs ActiveDirectoryConfig.HostAccountConfig in the "
                "spec");
    return std::move(*spec);
  }

  // Windows Server 2016: the container's hostname must be the gMSA's name.
  void hostname(const Value& c, const std::string& path, const std::string& name,
                const std::optional<credspec::CredentialSpec>& spec) {
    const std::string f = path + ".hostname";
    std::string account;
    if (spec) {
      account = spec->domain_join.machine_account_name;
      if (!account.empty() && account.back() == '$') account.pop_back();
    }
    const std::string want = spec ? " '" + account + "'" : "";
    auto it = c.find("hostname");
    if (it == c.end()) {
      error(name, f, "missing; on Windows Server 2016 it must equal the gMSA account name" + want);
    } else if (!it->is_string()) {
      error(name, f, "must be a string");
    } else if (!spec) {
      warn(name, f,
           "not compared with the gMSA account name: the credential spec could not be loaded");
    } else if (lower(it->get<std::string>()) != lower(account)) {
      error(name, f,
            "'" + it->get<std::string>() + "' must equal the gMSA account name" + want +
                " on Windows Server 2016");
    }
  }

  SpecStore& store_;
  const CheckOptions& options_;
  Report report_;
  std::string base_;
  bool fargate_ = false;
  bool any_ref_ = false;
};

}  // namespace

std::size_t Report::count(Severity s) const {
  return static_cast<std::size_t>(std::count_if(findings.begin(), findings.end(),
                                                [s](const Finding& f) { return f.severity == s; }));
}

Report check(std::string_view taskdef_json, SpecStore& store, const CheckOptions& options) {
  return Checker(store, options).run(taskdef_json);
}

}  // namespace gmsa::taskdef
