// Test fake behind CredentialSource: a directory + KDC in memory. Passwords
// are 256 bytes of one repeated letter ('C' current, 'P' previous) so tests
// can tell which one was used; the fake KDC accepts the letters in `accept`.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>

#include "fake_tickets.hpp"
#include "gmsa/daemon/lease_id.hpp"
#include "gmsa/daemon/source.hpp"

namespace gmsa::daemon::testing {

class FixedRandom final : public Random {
 public:
  explicit FixedRandom(std::uint8_t start = 0) : next_(start) {}
  void fill(std::span<std::uint8_t> out) override {
    for (auto& b : out) b = next_++;
  }

 private:
  std::uint8_t next_;
};

// Zero jitter: next_u64() is always 0 when every byte is 0.
class ZeroRandom final : public Random {
 public:
  void fill(std::span<std::uint8_t> out) override {
    for (auto& b : out) b = 0;
  }
};

// A gate the fake can block on until the test opens it.
class Gate {
 public:
  void open() {
    std::lock_guard<std::mutex> l(mu_);
    open_ = true;
    cv_.notify_all();
  }
  void pass() {
    std::unique_lock<std::mutex> l(mu_);
    ++waiting_;
    cv_.notify_all();
    cv_.wait(l, [&] { return open_; });
  }
  // Waits until n callers are blocked in pass() (bounded, for tests).
  bool wait_for_waiters(int n) {
    std::unique_lock<std::mutex> l(mu_);
    return cv_.wait_for(l, std::chrono::seconds(10), [&] { return waiting_ >= n; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
  int waiting_ = 0;
};

class FakeSource final : public CredentialSource {
 public:
  FakeSource(const krb::Context& ctx, const Clock& clock) : ctx_(ctx), clock_(clock) {}

  Result<blob::ManagedPassword> read_password(const GmsaRef& ref, const Authority& who) override {
    ++reads;
    if (read_gate) read_gate->pass();
    std::lock_guard<std::mutex> l(mu_);
    if (!read_error.field.empty()) return read_error;
    if (who.kind == Authority::Kind::kUser && !who.password.equals(user_password.span())) {
      return make_error(source_field::kHost, "user login refused");
    }
    if (ref.account == "Missing") return make_error(source_field::kDirectory, "no gMSA Missing$");
    blob::ManagedPassword pw;
    pw.current = letters('C');
    if (with_previous) pw.previous = letters('P');
    pw.query_interval_100ns = query_interval_100ns;
    pw.unchanged_interval_100ns = query_interval_100ns;
    return pw;
  }

  Result<krb::Credentials> get_tgt(const GmsaRef& ref, const SecretBytes& pw) override {
    ++tgts;
    std::lock_guard<std::mutex> l(mu_);
    tried.push_back(static_cast<char>(pw[0]));
    if (accept.count(static_cast<char>(pw[0])) == 0) {
      return make_error(source_field::kKdc, "preauthentication failed");
    }
    SystemTime now = clock_.now();
    return gmsa::testing::fake_tgt(ctx_, principal_for(ref), now, now + lifetime);
  }

  Result<std::vector<krb::KeytabKey>> keytab_keys(const GmsaRef&, const blob::ManagedPassword& pw,
                                                  const krb::Credentials&) override {
    std::vector<krb::KeytabKey> out;
    out.push_back({7, 18, SecretBytes(32)});
    out.push_back({7, 17, SecretBytes(16)});
    if (pw.previous) out.push_back({6, 18, SecretBytes(32)});
    return out;
  }

  Status check_host() override {
    ++host_checks;
    std::lock_guard<std::mutex> l(mu_);
    if (!host_error.field.empty()) return host_error;
    return ok_status();
  }

  std::string principal_for(const GmsaRef& ref) const override {
    std::string a = ref.account;
    for (char& c : a) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return a + "$@CONTOSO.TEST";
  }

  static SecretBytes letters(char c) {
    SecretBytes s(blob::kPasswordBytes);
    for (std::size_t i = 0; i < s.size(); ++i) s[i] = static_cast<std::uint8_t>(c);
    return s;
  }

  void set_read_error(Error e) {
    std::lock_guard<std::mutex> l(mu_);
    read_error = std::move(e);
  }
  void set_host_error(Error e) {
    std::lock_guard<std::mutex> l(mu_);
    host_error = std::move(e);
  }

  std::atomic<int> reads{0};
  std::atomic<int> tgts{0};
  std::atomic<int> host_checks{0};
  Gate* read_gate = nullptr;
  std::set<char> accept{'C'};
  std::vector<char> tried;
  bool with_previous = false;
  std::uint64_t query_interval_100ns = 30ULL * 24 * 36'000'000'000ULL;  // 30 days
  std::chrono::seconds lifetime{10 * 3600};
  SecretBytes user_password = SecretBytes::from_string("user-pw");

 private:
  const krb::Context& ctx_;
  const Clock& clock_;
  std::mutex mu_;
  Error read_error;
  Error host_error;
};

}  // namespace gmsa::daemon::testing
