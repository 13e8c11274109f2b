// GW_STORAGE and the Filebase settings: defaults, secrets from files, and one clear line for
// every value that cannot work.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "config_env.hpp"
#include "fcgi/config.hpp"

namespace gw::web {
namespace {

Env Filebase() {
  Env env = With(Minimal(), "GW_STORAGE", "filebase");
  env["FILEBASE_BUCKET"] = "my-bucket";
  env["FILEBASE_ACCESS_KEY"] = "AKIDEXAMPLE";
  env["FILEBASE_SECRET_KEY"] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  env["FILEBASE_PINNING_TOKEN"] = "token-123";
  return env;
}

TEST(ConfigStorage, LocalIsTheDefaultAndNeedsNoFilebaseSettings) {
  EXPECT_EQ(LoadConfig(Lookup(Minimal()), 4, false).storage, Storage::kLocal);
  EXPECT_EQ(LoadConfig(Lookup(With(Minimal(), "GW_STORAGE", "local")), 4, false).storage, Storage::kLocal);
}

TEST(ConfigStorage, AnUnknownBackendIsAConfigError) {
  EXPECT_NE(ConfigErrorOf(With(Minimal(), "GW_STORAGE", "s3")).find("GW_STORAGE"), std::string::npos);
}

TEST(ConfigStorage, FilebaseDefaults) {
  const Config config = LoadConfig(Lookup(Filebase()), 4, false);
  ASSERT_EQ(config.storage, Storage::kFilebase);
  EXPECT_EQ(config.filebase.endpoint, "https://s3.filebase.com");
  EXPECT_EQ(config.filebase.region, "us-east-1");
  EXPECT_EQ(config.filebase.bucket, "my-bucket");
  EXPECT_EQ(config.filebase.access_key, "AKIDEXAMPLE");
  EXPECT_EQ(config.filebase.pinning_url, "https://api.filebase.io/v1/ipfs");
  EXPECT_EQ(config.filebase.pinning_token, "token-123");
  EXPECT_EQ(config.filebase.multipart_threshold, 64u * 1024 * 1024);
}

TEST(ConfigStorage, TheCidProfileIsLearnedFromFilebaseUnlessNamed) {
  EXPECT_EQ(LoadConfig(Lookup(Filebase()), 4, false).cid_profile, std::nullopt);
  EXPECT_EQ(LoadConfig(Lookup(With(Filebase(), "GW_CID_PROFILE", "auto")), 4, false).cid_profile, std::nullopt);
  EXPECT_EQ(LoadConfig(Lookup(With(Filebase(), "GW_CID_PROFILE", "unixfs-v0-2015")), 4, false).cid_profile,
            domain::CidProfile::kUnixFsV0_2015);
  EXPECT_EQ(ConfigErrorOf(With(Filebase(), "GW_CID_PROFILE", "v0")),
            "GW_CID_PROFILE must be auto or one of kubo-add-cidv1, unixfs-v1-2025, unixfs-v0-2015; got 'v0'");
}

TEST(ConfigStorage, TheBreakerOpenTimeIsASetting) {
  EXPECT_EQ(LoadConfig(Lookup(Filebase()), 4, false).filebase.breaker_open, std::chrono::seconds(60));
  EXPECT_EQ(LoadConfig(Lookup(With(Filebase(), "FILEBASE_BREAKER_OPEN_S", "3")), 4, false).filebase.breaker_open,
            std::chrono::seconds(3));
  EXPECT_NE(ConfigErrorOf(With(Filebase(), "FILEBASE_BREAKER_OPEN_S", "0")).find("FILEBASE_BREAKER_OPEN_S"),
            std::string::npos);
}

TEST(ConfigStorage, EndpointsLoseTheirTrailingSlash) {
  auto env = Filebase();
  env["FILEBASE_ENDPOINT"] = "http://127.0.0.1:9000/";
  env["FILEBASE_PINNING_URL"] = "http://127.0.0.1:9000/pinning/";
  const Config config = LoadConfig(Lookup(env), 4, false);
  EXPECT_EQ(config.filebase.endpoint, "http://127.0.0.1:9000");
  EXPECT_EQ(config.filebase.pinning_url, "http://127.0.0.1:9000/pinning");
}

TEST(ConfigStorage, EachMissingRequiredSettingIsNamed) {
  for (const char* name : {"FILEBASE_BUCKET", "FILEBASE_ACCESS_KEY", "FILEBASE_SECRET_KEY", "FILEBASE_PINNING_TOKEN"}) {
    EXPECT_NE(ConfigErrorOf(Without(Filebase(), name)).find(name), std::string::npos) << name;
  }
}

TEST(ConfigStorage, BadValuesAreNamed) {
  const std::pair<const char*, const char*> cases[] = {
      {"FILEBASE_ENDPOINT", "ftp://s3.filebase.com"},
      {"FILEBASE_ENDPOINT", "https://"},
      {"FILEBASE_ENDPOINT", "https://h/?x=1"},
      {"FILEBASE_PINNING_URL", "not a url"},
      {"FILEBASE_BUCKET", "My_Bucket"},
      {"FILEBASE_BUCKET", "ab"},
      {"FILEBASE_BUCKET", "-bucket"},
      {"FILEBASE_MULTIPART_THRESHOLD", "1024"},
      {"FILEBASE_CONNECT_TIMEOUT_MS", "0"},
      {"FILEBASE_PRESIGN_EXPIRY_S", "604801"},
  };
  for (const auto& [name, value] : cases) {
    EXPECT_NE(ConfigErrorOf(With(Filebase(), name, value)).find(name), std::string::npos) << name << "=" << value;
  }
}

TEST(ConfigStorage, ASecretComesFromItsFile) {
  const auto path = std::filesystem::temp_directory_path() / ("gw-secret-" + std::to_string(::getpid()));
  std::ofstream(path) << "from-file-secret\n";
  auto env = Without(Filebase(), "FILEBASE_SECRET_KEY");  // both set is an error (config_secrets_test.cpp)
  env["FILEBASE_SECRET_KEY_FILE"] = path.string();
  EXPECT_EQ(LoadConfig(Lookup(env), 4, false).filebase.secret_key, "from-file-secret");
  std::filesystem::remove(path);
  EXPECT_NE(ConfigErrorOf(env).find("FILEBASE_SECRET_KEY_FILE"), std::string::npos) << "an unreadable file is named";
}

TEST(ConfigStorage, ASecretNeverAppearsInAnError) {
  auto env = Filebase();
  env["FILEBASE_PINNING_URL"] = "nope";  // an error once the secrets were read
  const std::string error = ConfigErrorOf(env);
  EXPECT_EQ(error.find("wJalrXUtnFEMI"), std::string::npos) << error;
  EXPECT_EQ(error.find("token-123"), std::string::npos) << error;
}

}  // namespace
}  // namespace gw::web
