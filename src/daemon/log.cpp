#include "gmsa/daemon/log.hpp"

#include <time.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>

namespace gmsa::daemon::log {
namespace {

std::mutex g_mu;
Sink g_sink;  // empty = stderr
std::atomic<int> g_min{static_cast<int>(Level::kInfo)};

const char* name(Level l) {
  switch (l) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

void append_value(std::string& out, std::string_view v) {
  bool quote = v.empty();
  for (char c : v) quote = quote || c == ' ' || c == '"' || c == '=' || c == '\\';
  if (!quote) {
    for (char c : v) out += (c == '\n' || c == '\r') ? ' ' : c;
    return;
  }
  out += '"';
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    out += (c == '\n' || c == '\r') ? ' ' : c;
  }
  out += '"';
}

}  // namespace

std::string format(Level level, std::string_view event, std::initializer_list<Field> fields) {
  std::string line = "level=";
  line += name(level);
  line += " event=";
  append_value(line, event);
  for (const Field& f : fields) {
    line += ' ';
    line += f.first;
    line += '=';
    append_value(line, f.second);
  }
  return line;
}

void write(Level level, std::string_view event, std::initializer_list<Field> fields) {
  if (static_cast<int>(level) < g_min.load()) return;
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char ts[64];
  std::snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  std::string line = std::string("ts=") + ts + " " + format(level, event, fields);
  std::lock_guard<std::mutex> lock(g_mu);
  if (g_sink) {
    g_sink(line);
  } else {
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
}

Sink set_sink(Sink sink) {
  std::lock_guard<std::mutex> lock(g_mu);
  Sink old = std::move(g_sink);
  g_sink = std::move(sink);
  return old;
}

void set_min_level(Level level) { g_min.store(static_cast<int>(level)); }

}  // namespace gmsa::daemon::log
