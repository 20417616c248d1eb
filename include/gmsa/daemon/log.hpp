// Structured logs: one line per event, "ts=... level=... event=... k=v ...",
// to stderr (or a sink set by tests). Values are quoted when they contain
// spaces, quotes or '='. Never pass secrets: the API only takes strings the
// caller chose to show (lease ids, accounts, error messages without secrets).
#pragma once

#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace gmsa::daemon::log {

enum class Level { kDebug, kInfo, kWarn, kError };

using Field = std::pair<std::string_view, std::string_view>;

void write(Level level, std::string_view event, std::initializer_list<Field> fields = {});
inline void info(std::string_view e, std::initializer_list<Field> f = {}) {
  write(Level::kInfo, e, f);
}
inline void warn(std::string_view e, std::initializer_list<Field> f = {}) {
  write(Level::kWarn, e, f);
}
inline void error(std::string_view e, std::initializer_list<Field> f = {}) {
  write(Level::kError, e, f);
}

// Formats one line without the timestamp (used by write and by tests).
std::string format(Level level, std::string_view event, std::initializer_list<Field> fields);

// Replaces the sink (default: stderr). Returns the previous one.
using Sink = std::function<void(const std::string& line)>;
Sink set_sink(Sink sink);
void set_min_level(Level level);

}  // namespace gmsa::daemon::log
