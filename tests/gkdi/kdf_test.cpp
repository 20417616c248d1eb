// Seed keys and gMSA passwords against the published vectors.
#include <gtest/gtest.h>

#include <algorithm>

#include "gmsa/gkdi/gkdi.hpp"
#include "test_util.hpp"

namespace gmsa::gkdi {
namespace {

using test::hex;

RootKey root_from(const nlohmann::json& v) {
  RootKey r;
  r.id = Guid::parse(v.at("root_key_id").get<std::string>()).value();
  r.kdf_hash = v.at("hash").get<std::string>();
  r.data = SecretBytes(hex(v.at("root_key_data").get<std::string>()));
  return r;
}

Gkid gkid_from(const nlohmann::json& g) {
  return Gkid{g.at(0).get<std::int32_t>(), g.at(1).get<std::int32_t>(),
              g.at(2).get<std::int32_t>()};
}

TEST(GkdiSeedKey, EveryPublishedVector) {
  auto doc = test::load_vectors("gkdi-seed-keys.json");
  ASSERT_EQ(doc.at("vectors").size(), 9u);
  for (const auto& v : doc.at("vectors")) {
    SCOPED_TRACE(v.at("name").get<std::string>());
    auto key = seed_key(root_from(v), gkid_from(v.at("gkid")));
    ASSERT_TRUE(key.ok()) << key.error().what();
    EXPECT_EQ(to_hex(key->span()), v.at("expected_key").get<std::string>());
  }
}

RootKey vector_root() {
  auto doc = test::load_vectors("gkdi-passwords.json");
  return root_from(doc.at("vectors").at(0));
}

TEST(GkdiPassword, FullVectorFromWhenCreatedAndEffectiveTime) {
  auto doc = test::load_vectors("gkdi-passwords.json");
  const auto& v = doc.at("vectors").at(0);
  RotationSchedule sched{v.at("when_created_filetime").get<std::uint64_t>(),
                         v.at("managed_password_interval_days").get<std::uint32_t>()};
  const Gkid gkid = sched.current_gkid(v.at("effective_time_filetime").get<std::uint64_t>());
  EXPECT_EQ(gkid, gkid_from(v.at("gkid")));
  EXPECT_EQ(gkid, (Gkid{361, 27, 7}));

  auto sid = Sid::parse(v.at("gmsa_sid").get<std::string>()).value();
  auto pw = gmsa_password(root_from(v), sid, gkid);
  ASSERT_TRUE(pw.ok()) << pw.error().what();
  ASSERT_EQ(pw->size(), 256u);
  EXPECT_EQ(test::md4_hex(pw->span()), v.at("expected_nt_hash").get<std::string>());
  for (std::size_t i = 0; i < pw->size(); i += 2)
    EXPECT_FALSE((*pw)[i] == 0 && (*pw)[i + 1] == 0) << "NUL code unit at " << i;
}

TEST(GkdiPassword, OtherGkidOrSidGivesOtherPassword) {
  auto root = vector_root();
  auto sid = Sid::parse("S-1-5-21-1040335485-253814736-2627409954-1145").value();
  auto a = gmsa_password(root, sid, Gkid{361, 27, 7});
  auto b = gmsa_password(root, sid, Gkid{361, 27, 6});
  auto other = Sid::parse("S-1-5-21-1040335485-253814736-2627409954-1146").value();
  auto c = gmsa_password(root, other, Gkid{361, 27, 7});
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_FALSE(a->equals(b->span()));
  EXPECT_FALSE(a->equals(c->span()));
}

TEST(GkdiSeedKey, HashOptionsGiveDistinct64ByteKeys) {
  auto root = vector_root();
  std::vector<std::string> seen;
  for (const char* h : {"SHA1", "SHA256", "SHA384", "SHA512"}) {
    root.kdf_hash = h;
    auto k = seed_key(root, Gkid{361, 27, 7});
    ASSERT_TRUE(k.ok()) << h << ": " << k.error().what();
    EXPECT_EQ(k->size(), 64u) << h;
    auto pw = gmsa_password(root, Sid::parse("S-1-5-21-1-2-3-1145").value(), Gkid{361, 27, 7});
    ASSERT_TRUE(pw.ok());
    EXPECT_EQ(pw->size(), 256u) << h;
    seen.push_back(to_hex(k->span()));
  }
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(std::unique(seen.begin(), seen.end()), seen.end());
}

TEST(GkdiSeedKey, L1SeedIsWhereL2ChainStarts) {
  // The L2 = 31 step starts from the L1 seed key; the chain must differ per level.
  auto root = vector_root();
  auto l1 = seed_key(root, Gkid{361, 27, -1});
  auto l2 = seed_key(root, Gkid{361, 27, 31});
  ASSERT_TRUE(l1.ok() && l2.ok());
  EXPECT_FALSE(l1->equals(l2->span()));
}

TEST(GkdiSeedKey, RejectsBadInputNamingTheField) {
  auto root = vector_root();
  auto err = [&](const RootKey& r, Gkid g) { return seed_key(r, g).error().what(); };
  EXPECT_EQ(err(root, Gkid{-1, 0, 0}), "gkid.l0: must be >= 0, got -1");
  EXPECT_EQ(err(root, Gkid{1, 32, 0}), "gkid.l1: must be 0..31, got 32");
  EXPECT_EQ(err(root, Gkid{1, -1, 0}), "gkid.l1: must be 0..31, got -1");
  EXPECT_EQ(err(root, Gkid{1, 0, 32}), "gkid.l2: must be -1..31, got 32");
  EXPECT_EQ(err(root, Gkid{1, 0, -2}), "gkid.l2: must be -1..31, got -2");
  RootKey md5 = root;
  md5.kdf_hash = "MD5";
  EXPECT_EQ(err(md5, Gkid{1, 0, 0}),
            "root_key.kdf_hash: unknown KDF hash 'MD5' (expected SHA1, SHA256, SHA384 or SHA512)");
  RootKey empty = root;
  empty.data = SecretBytes();
  EXPECT_EQ(err(empty, Gkid{1, 0, 0}), "root_key.data: is empty");
  auto sid = Sid::parse("S-1-5-21-1-2-3").value();
  EXPECT_EQ(gmsa_password(root, sid, Gkid{1, 0, -1}).error().what(),
            "gkid.l2: must be 0..31, got -1");
}

TEST(GkdiGkid, AtCycleBoundaries) {
  EXPECT_EQ(gkid_at(0), (Gkid{0, 0, 0}));
  EXPECT_EQ(gkid_at(kKeyCycle100ns - 1), (Gkid{0, 0, 0}));
  EXPECT_EQ(gkid_at(kKeyCycle100ns), (Gkid{0, 0, 1}));
  EXPECT_EQ(gkid_at(31 * kKeyCycle100ns), (Gkid{0, 0, 31}));
  EXPECT_EQ(gkid_at(32 * kKeyCycle100ns), (Gkid{0, 1, 0}));
  EXPECT_EQ(gkid_at(1024 * kKeyCycle100ns - 1), (Gkid{0, 31, 31}));
  EXPECT_EQ(gkid_at(1024 * kKeyCycle100ns), (Gkid{1, 0, 0}));
  // effective_time_filetime of the password vector: cycle 370568.
  EXPECT_EQ(gkid_at(133404554396754922ULL), (Gkid{361, 28, 8}));
  EXPECT_EQ(gkid_at(133404554396754922ULL).cycle(), 370568);
}

TEST(GkdiGkid, FromCycleInvertsCycle) {
  for (std::int64_t c : {0LL, 1LL, 31LL, 32LL, 1023LL, 1024LL, 370535LL, 51240955LL}) {
    EXPECT_EQ(Gkid::from_cycle(c).cycle(), c);
  }
  EXPECT_EQ(Gkid::from_cycle(370535), (Gkid{361, 27, 7}));
  EXPECT_EQ(Gkid::from_cycle(-5), (Gkid{0, 0, 0}));
}

}  // namespace
}  // namespace gmsa::gkdi
