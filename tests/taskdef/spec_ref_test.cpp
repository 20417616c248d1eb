// Credential spec references and platform names.
#include <gtest/gtest.h>

#include "gmsa/taskdef/taskdef.hpp"

namespace gmsa::taskdef {
namespace {

TEST(SpecRef, Forms) {
  EXPECT_EQ(*parse_spec_ref("credentialspec:file://web.json"),
            (SpecRef{false, SpecSource::kFile, "web.json"}));
  EXPECT_EQ(*parse_spec_ref("credentialspecdomainless:file://a/b.json"),
            (SpecRef{true, SpecSource::kFile, "a/b.json"}));
  EXPECT_EQ(*parse_spec_ref("credentialspec:arn:aws:s3:::bucket/dir/key.json"),
            (SpecRef{false, SpecSource::kS3, "arn:aws:s3:::bucket/dir/key.json"}));
  EXPECT_EQ(
      *parse_spec_ref(
          "credentialspecdomainless:arn:aws-us-gov:ssm:us-gov-west-1:123456789012:parameter/a/b"),
      (SpecRef{true, SpecSource::kSsm,
               "arn:aws-us-gov:ssm:us-gov-west-1:123456789012:parameter/a/b"}));
}

std::string err(std::string_view s) {
  auto r = parse_spec_ref(s);
  return r ? "ok" : r.error().what();
}

TEST(SpecRef, Malformed) {
  EXPECT_EQ(err("credentialspec:arn:aws:s3:::/key"),
            "malformed S3 ARN: expected arn:aws:s3:::BUCKET/KEY");
  EXPECT_EQ(err("credentialspec:arn:aws:s3:::bucket/"),
            "malformed S3 ARN: expected arn:aws:s3:::BUCKET/KEY");
  EXPECT_EQ(err("credentialspec:arn:aws:s3:us-east-1::b/k"),
            "malformed S3 ARN: expected arn:aws:s3:::BUCKET/KEY");
  EXPECT_EQ(err("credentialspec:arn:aws:ssm:US-EAST-1:123456789012:parameter/x"),
            "malformed SSM ARN: expected arn:aws:ssm:REGION:ACCOUNT:parameter/NAME");
  EXPECT_EQ(err("credentialspec:arn:aws:ssm:us-east-1:123456789012:parameter/"),
            "malformed SSM ARN: expected arn:aws:ssm:REGION:ACCOUNT:parameter/NAME");
  EXPECT_EQ(err("credentialspec:arn:aws:ssm:us-east-1:123456789012:secret/x"),
            "malformed SSM ARN: expected arn:aws:ssm:REGION:ACCOUNT:parameter/NAME");
  EXPECT_EQ(err("credentialspec:arn:aws"),
            "malformed ARN: expected arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE");
  EXPECT_EQ(err("CredentialSpec:file://x.json"),
            "unknown form: expected credentialspec: or credentialspecdomainless:");
  EXPECT_EQ(
      err("credentialspecdomainless=arn:aws:s3:::b/k"),
      "unknown form: ECS writes credentialspec: with a ':' (Docker's '=' form is not accepted)");
}

TEST(Platform, Names) {
  EXPECT_EQ(platform_from_flag("windows-2016"), Platform::kWindows2016);
  EXPECT_EQ(platform_from_flag("linux"), Platform::kLinux);
  EXPECT_EQ(platform_from_flag("windows"), std::nullopt);
  EXPECT_EQ(platform_from_os_family("WINDOWS_SERVER_2016_FULL"), Platform::kWindows2016);
  EXPECT_EQ(platform_from_os_family("WINDOWS_SERVER_2022_CORE"), Platform::kWindows2022);
  EXPECT_EQ(platform_from_os_family("WINDOWS_SERVER_20H2_CORE"), Platform::kWindows2019);
  EXPECT_EQ(platform_from_os_family("linux"), std::nullopt);
  EXPECT_EQ(platform_name(Platform::kWindows2019), "windows-2019");
}

}  // namespace
}  // namespace gmsa::taskdef
