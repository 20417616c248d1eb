#include "gmsa/credspec/strict_json.hpp"

#include <algorithm>
#include <optional>
#include <unordered_set>
#include <utility>
#include <vector>

namespace gmsa::json {
namespace {

// Builds an ordered_json tree from SAX events with an explicit stack, so the
// depth limit is enforced before any deeper value is created.
class Builder {
 public:
  Builder(std::size_t max_depth, std::string base)
      : max_depth_(max_depth), base_(std::move(base)) {}

  bool null() { return add(Value(nullptr)); }
  bool boolean(bool v) { return add(Value(v)); }
  bool number_integer(Value::number_integer_t v) { return add(Value(v)); }
  bool number_unsigned(Value::number_unsigned_t v) { return add(Value(v)); }
  bool number_float(Value::number_float_t v, const std::string&) { return add(Value(v)); }
  bool string(Value::string_t& v) { return add(Value(std::move(v))); }
  bool binary(Value::binary_t&) { return fail(base_, "binary values are not JSON"); }

  bool start_object(std::size_t) { return open(Value::object()); }
  bool start_array(std::size_t) { return open(Value::array()); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }

  bool key(Value::string_t& k) {
    Frame& f = frames_.back();
    if (!f.keys.insert(k).second) return fail(f.path, "duplicate key '" + k + "'");
    f.key = std::move(k);
    return true;
  }

  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception&) {
    position_ = position;
    syntax_error_ = true;
    return false;
  }

  Value root;
  std::optional<Error> error;
  bool syntax_error_ = false;
  std::size_t position_ = 0;

 private:
  struct Frame {
    Value* node;
    std::string path;
    std::unordered_set<std::string> keys;
    std::string key;
  };

  bool fail(const std::string& path, std::string message) {
    error = Error{path, std::move(message)};
    return false;
  }

  std::string child_path() const {
    if (frames_.empty()) return base_;
    const Frame& f = frames_.back();
    return f.node->is_array() ? index_path(f.path, f.node->size()) : join_path(f.path, f.key);
  }

  // Places v in the current container (or as the root); returns where it went.
  Value* place(Value v) {
    if (frames_.empty()) {
      root = std::move(v);
      return &root;
    }
    Frame& f = frames_.back();
    if (f.node->is_array()) {
      f.node->push_back(std::move(v));
      return &f.node->back();
    }
    // The key is known to be new (key() checked), so append without the
    // linear search ordered_map's operator[] would do.
    auto& items = static_cast<Value::object_t::Container&>(f.node->get_ref<Value::object_t&>());
    items.emplace_back(f.key, std::move(v));
    return &items.back().second;
  }

  bool add(Value v) {
    place(std::move(v));
    return true;
  }

  bool open(Value container) {
    std::string path = child_path();
    if (frames_.size() + 1 > max_depth_)
      return fail(path, "nested deeper than " + std::to_string(max_depth_) + " levels");
    Value* node = place(std::move(container));
    frames_.push_back(Frame{node, std::move(path), {}, {}});
    return true;
  }

  bool close() {
    frames_.pop_back();
    return true;
  }

  std::size_t max_depth_;
  std::string base_;
  std::vector<Frame> frames_;
};

}  // namespace

std::string join_path(const std::string& base, std::string_view key) {
  return base.empty() ? std::string(key) : base + "." + std::string(key);
}

std::string index_path(const std::string& base, std::size_t index) {
  return base + "[" + std::to_string(index) + "]";
}

std::size_t first_invalid_utf8(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    unsigned lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;  // no overlong forms
      if (c == 0xED) hi = 0x9F;  // no surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;  // no overlong forms
      if (c == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
    } else {
      return i;
    }
    if (i + 1 >= n || s[i + 1] < lo || s[i + 1] > hi) return i;
    for (std::size_t k = 2; k < len; ++k)
      if (i + k >= n || (s[i + k] & 0xC0) != 0x80) return i;
    i += len;
  }
  return std::string_view::npos;
}

Result<Value> read(std::string_view text, const ReadLimits& limits, const std::string& base) {
  if (text.size() > limits.max_bytes)
    return Error{base, "input is " + std::to_string(text.size()) + " bytes; the limit is " +
                           std::to_string(limits.max_bytes)};
  if (std::size_t bad = first_invalid_utf8(text); bad != std::string_view::npos)
    return Error{base, "invalid UTF-8 at byte offset " + std::to_string(bad)};
  Builder builder(limits.max_depth, base);
  const bool ok = Value::sax_parse(text, &builder, nlohmann::detail::input_format_t::json,
                                   /*strict=*/true, /*ignore_comments=*/false);
  if (ok) return std::move(builder.root);
  if (builder.error) return *builder.error;
  // nlohmann reports the count of bytes read, i.e. the offending byte's offset + 1.
  const std::size_t offset =
      std::min(builder.position_ == 0 ? 0 : builder.position_ - 1, text.size());
  const auto head = text.substr(0, offset);
  const std::size_t line = 1 + static_cast<std::size_t>(std::count(head.begin(), head.end(), '\n'));
  const std::size_t nl = head.rfind('\n');
  const std::size_t column = nl == std::string_view::npos ? offset + 1 : offset - nl;
  return Error{base, "malformed JSON at byte offset " + std::to_string(offset) + " (line " +
                         std::to_string(line) + ", column " + std::to_string(column) + ")"};
}

}  // namespace gmsa::json
