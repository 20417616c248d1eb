// `gmsa blob decode`, run in-process through gmsa::cli::run.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "blob_test_util.hpp"
#include "gmsa/cli/cli.hpp"

namespace gmsa::cli {
namespace {

struct Outcome {
  int code;
  std::string out, err;
};

Outcome run_blob(const Args& args, const std::string& input = "") {
  std::istringstream in(input);
  std::ostringstream out, err;
  Args full{"blob"};
  full.insert(full.end(), args.begin(), args.end());
  int code = run(full, Io{in, out, err});
  return {code, out.str(), err.str()};
}

std::string vector_base64(std::size_t i) { return to_base64(blob::test::vector_blob(i)) + "\n"; }
std::string vec(std::size_t i, const char* key) {
  return blob::test::load_vectors().at(i).at(key).get<std::string>();
}

// The fingerprint the CLI must print, computed here independently.
std::string sha256_prefix(const std::string& key_hex) {
  auto key = *from_hex(key_hex);
  std::uint8_t digest[32];
  unsigned int len = 0;
  EVP_Digest(key.data(), key.size(), digest, &len, EVP_sha256(), nullptr);
  return "sha256:" + to_hex(std::span<const std::uint8_t>(digest, 4));
}

bool has_line(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

TEST(BlobCli, DecodesBase64FromStdinWithStructureAndFingerprints) {
  auto r = run_blob({"decode"}, vector_base64(0));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.out,
            "Version: 1\n"
            "Length: 290 bytes\n"
            "CurrentPasswordOffset: 16\n"
            "PreviousPasswordOffset: 0 (no previous password)\n"
            "QueryPasswordIntervalOffset: 274\n"
            "UnchangedPasswordIntervalOffset: 282\n"
            "QueryPasswordInterval: 17d 20h 30m 22.6839887s (15426226839887 x 100ns)\n"
            "UnchangedPasswordInterval: 17d 20h 25m 22.6839887s (15423226839887 x 100ns)\n"
            "Current password:\n"
            "  NT hash (rc4-hmac): " +
                sha256_prefix(vec(0, "current_nt_hash")) +
                "\n"
                "  AES keys: give --domain and --account\n");
}

TEST(BlobCli, AesFingerprintsWithDomainAndAccountButNoSecrets) {
  auto r = run_blob({"decode", "-", "--domain", "windomain.local", "--account", "super_gmsa$"},
                    vector_base64(1));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(has_line(r.out, "Salt: WINDOMAIN.LOCALhostsuper_gmsa.windomain.local"));
  EXPECT_TRUE(has_line(r.out, "PreviousPasswordOffset: 274 (previous password present)"));
  EXPECT_TRUE(
      has_line(r.out, "  aes256-cts-hmac-sha1-96: " + sha256_prefix(vec(1, "current_aes256"))));
  EXPECT_TRUE(
      has_line(r.out, "  aes128-cts-hmac-sha1-96: " + sha256_prefix(vec(1, "current_aes128"))));
  EXPECT_TRUE(
      has_line(r.out, "  aes256-cts-hmac-sha1-96: " + sha256_prefix(vec(1, "previous_aes256"))));
  EXPECT_TRUE(has_line(r.out, "Previous password:"));
  for (const char* secret : {"current_nt_hash", "current_aes256", "current_aes128",
                             "previous_aes256", "previous_nt_hash"}) {
    EXPECT_EQ(r.out.find(vec(1, secret)), std::string::npos) << secret;
  }
  EXPECT_EQ(r.out.find("UTF-"), std::string::npos);
}

TEST(BlobCli, ShowSecretPrintsPasswordAndKeysInHex) {
  auto r =
      run_blob({"decode", "--show-secret", "--domain=windomain.local", "--account=super_gmsa$"},
               vector_base64(1));
  ASSERT_EQ(r.code, 0) << r.err;
  auto blob = blob::test::vector_blob(1);
  EXPECT_TRUE(has_line(r.out, "  UTF-16LE: " + to_hex(std::span(blob).subspan(16, 256))));
  EXPECT_TRUE(has_line(r.out, "  UTF-8: " + vec(1, "current_utf8")));
  EXPECT_TRUE(has_line(r.out, "  UTF-8: " + vec(1, "previous_utf8")));
  EXPECT_TRUE(has_line(r.out, "  NT hash (rc4-hmac): " + vec(1, "current_nt_hash")));
  EXPECT_TRUE(has_line(r.out, "  NT hash (rc4-hmac): " + vec(1, "previous_nt_hash")));
  EXPECT_TRUE(has_line(r.out, "  aes128-cts-hmac-sha1-96: " + vec(1, "current_aes128")));
  EXPECT_TRUE(has_line(r.out, "  aes256-cts-hmac-sha1-96: " + vec(1, "current_aes256")));
  EXPECT_TRUE(has_line(r.out, "  aes256-cts-hmac-sha1-96: " + vec(1, "previous_aes256")));
}

TEST(BlobCli, AcceptsBase64WrappedOverLines) {
  // As ldapsearch prints it: 76-column lines, continuation lines start with a space.
  std::string b64 = vector_base64(0), wrapped;
  for (std::size_t i = 0; i < b64.size(); i += 76)
    wrapped += (i ? " " : "") + b64.substr(i, 76) + "\n";
  auto r = run_blob({"decode"}, wrapped);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, run_blob({"decode"}, b64).out);
}

TEST(BlobCli, ReadsBinaryFiles) {
  const std::string path =
      std::string(GMSA_BINARY_DIR) + "/blob_cli_test_" + std::to_string(getpid()) + ".bin";
  auto blob = blob::test::vector_blob(1);
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(blob.data()), static_cast<std::streamsize>(blob.size()));
  auto automatic = run_blob({"decode", path});
  auto binary = run_blob({"decode", path, "--format", "binary"});
  auto as_base64 = run_blob({"decode", path, "--format", "base64"});
  std::remove(path.c_str());
  ASSERT_EQ(automatic.code, 0) << automatic.err;
  EXPECT_TRUE(has_line(automatic.out, "Length: 548 bytes"));
  EXPECT_EQ(binary.out, automatic.out);
  EXPECT_EQ(as_base64.code, 1);
  EXPECT_EQ(as_base64.err, "gmsa blob decode: input: not valid base64\n");
}

TEST(BlobCli, BadInputFailsWithTheReason) {
  auto r = run_blob({"decode"}, "not base64!\n");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "gmsa blob decode: input: not valid base64\n");
  EXPECT_EQ(r.out, "");

  auto cut = blob::test::vector_blob(0);
  cut.resize(200);
  r = run_blob({"decode"}, to_base64(cut));
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "gmsa blob decode: Length: says 290 bytes but 200 bytes were received\n");

  r = run_blob({"decode", "--format", "binary"}, vector_base64(0));
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "gmsa blob decode: Version: must be 1, got 20801\n");  // "AQ" read as binary

  r = run_blob({"decode"}, "");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "gmsa blob decode: blob: shorter than the 16-byte header (0 bytes)\n");

  r = run_blob({"decode", "/nonexistent/blob.bin"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "gmsa blob decode: /nonexistent/blob.bin: cannot open\n");
}

TEST(BlobCli, UsageErrors) {
  auto first_line = [](const std::string& s) { return s.substr(0, s.find('\n')); };
  auto r = run_blob({"decode", "--domain", "windomain.local"}, vector_base64(0));
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(first_line(r.err), "gmsa blob decode: --account: required when --domain is given");
  EXPECT_EQ(r.out, "");
  r = run_blob({"decode", "--account", "x$"}, vector_base64(0));
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(first_line(r.err), "gmsa blob decode: --domain: required when --account is given");
  r = run_blob({"decode", "--format", "hex"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(first_line(r.err), "gmsa blob decode: --format: must be base64, binary or auto");
  r = run_blob({"decode", "a", "b"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(first_line(r.err), "gmsa blob decode: at most one FILE");
  r = run_blob({"decode", "--password", "x"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(first_line(r.err), "gmsa blob decode: --password: unknown option");
  r = run_blob({"encode"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(first_line(r.err), "gmsa blob: unknown subcommand 'encode'");
  r = run_blob({});
  EXPECT_EQ(r.code, 2);
  r = run_blob({"--help"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(first_line(r.out), "usage: gmsa blob decode [FILE|-] [--format base64|binary|auto]");
}

TEST(BlobCli, HumanDurations) {
  // Whole units and sub-second values through a hand-made blob.
  auto b = blob::test::build({290, 16, 0, 274, 282}, 36000000000ULL * 24 + 0, 5);
  auto r = run_blob({"decode"}, to_base64(b));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(has_line(r.out, "QueryPasswordInterval: 1d 0h 0m 0s (864000000000 x 100ns)"));
  EXPECT_TRUE(has_line(r.out, "UnchangedPasswordInterval: 0.0000005s (5 x 100ns)"));
}

}  // namespace
}  // namespace gmsa::cli
