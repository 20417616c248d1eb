// Latency samples -> median / p99 (nearest rank), in milliseconds.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <vector>

namespace gmsa::bench {

using Ms = std::chrono::duration<double, std::milli>;

struct Summary {
  double median_ms = 0;
  double p99_ms = 0;
  double min_ms = 0;
  double max_ms = 0;
  std::size_t n = 0;
};

inline double rank(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  auto i = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size() - 1, i == 0 ? 0 : i - 1)];
}

inline Summary summarize(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  Summary s;
  s.n = ms.size();
  if (ms.empty()) return s;
  s.median_ms = rank(ms, 0.5);
  s.p99_ms = rank(ms, 0.99);
  s.min_ms = ms.front();
  s.max_ms = ms.back();
  return s;
}

template <class F>
double time_ms(F&& f) {
  auto t0 = std::chrono::steady_clock::now();
  f();
  return Ms(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace gmsa::bench
