// Every secret setting may come from a file (NAME_FILE), the same way (ReadSecret, fcgi/config.cpp):
// the file's content less one trailing newline; both NAME and NAME_FILE set, or a file that cannot
// be read, is a ConfigError that names the variable and never shows the secret.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "config_env.hpp"
#include "fcgi/config.hpp"
#include "tests/common/temp_dir.hpp"

namespace gw::web {
namespace {

class SecretFiles : public ::testing::Test {
 protected:
  /// A file holding exactly `content`, in this test's own directory.
  std::string File(const std::string& name, const std::string& content) {
    const std::string path = dir_.Path() + "/" + name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  static Env Filebase(Env env) {
    env["GW_STORAGE"] = "filebase";
    env["FILEBASE_BUCKET"] = "my-bucket";
    env["FILEBASE_ACCESS_KEY"] = "AKIDEXAMPLE";
    env["FILEBASE_SECRET_KEY"] = "wJalrXUtnFEMIEXAMPLEKEY";
    env["FILEBASE_PINNING_TOKEN"] = "token-123";
    return env;
  }

  gw::test::TempDir dir_{"gw-config-secrets"};
};

TEST_F(SecretFiles, EverySecretSettingCanComeFromAFile) {
  const std::string pepper(48, 'q');
  Env env = Filebase(Without(Without(Minimal(), "DATABASE_URL"), "GW_KEY_PEPPER"));
  env["DATABASE_URL_FILE"] = File("db-url", "postgresql://gw:from-file@db/gw\n");
  env["GW_KEY_PEPPER_FILE"] = File("pepper", pepper + "\n");
  env["GW_RATE_LIMIT_REDIS_URL_FILE"] = File("redis-url", "redis://:from-file@redis.internal:6379/0\n");
  for (const char* name : {"FILEBASE_ACCESS_KEY", "FILEBASE_SECRET_KEY", "FILEBASE_PINNING_TOKEN"}) {
    env.erase(name);
    env[std::string(name) + "_FILE"] = File(name, std::string("file-") + name + "\n");
  }
  const Config config = LoadConfig(Lookup(env), 2, false);
  EXPECT_EQ(config.database_url, "postgresql://gw:from-file@db/gw");
  EXPECT_EQ(config.key_pepper, pepper);
  EXPECT_EQ(config.rate_limits.redis_url, "redis://:from-file@redis.internal:6379/0");
  EXPECT_EQ(config.filebase.access_key, "file-FILEBASE_ACCESS_KEY");
  EXPECT_EQ(config.filebase.secret_key, "file-FILEBASE_SECRET_KEY");
  EXPECT_EQ(config.filebase.pinning_token, "file-FILEBASE_PINNING_TOKEN");
}

TEST_F(SecretFiles, TheDatabasePasswordOfTheKeywordFormCanComeFromAFile) {
  const Env env{{"DATABASE_HOST", "db.internal"},
                {"DATABASE_NAME", "gateway"},
                {"DATABASE_USER", "gw"},
                {"DATABASE_PASSWORD_FILE", File("db-password", "it's s3cret\n")}};
  EXPECT_EQ(BuildConnectionString(Lookup(env)),
            "host='db.internal' dbname='gateway' user='gw' password='it\\'s s3cret'");
}

TEST_F(SecretFiles, OnlyOneTrailingNewlineIsDropped) {
  const auto read = [&](const std::string& content) {
    return ReadSecret(Lookup(Env{{"X_FILE", File("x", content)}}), "X").value_or("<none>");
  };
  EXPECT_EQ(read("secret"), "secret");
  EXPECT_EQ(read("secret\n"), "secret");
  EXPECT_EQ(read("secret\r\n"), "secret");
  EXPECT_EQ(read("secret\n\n"), "secret\n");
  EXPECT_EQ(read(" spaced secret \n"), " spaced secret ");
  EXPECT_EQ(read(""), "");
}

TEST_F(SecretFiles, TheVariableItselfIsUsedWhenNoFileIsNamed) {
  EXPECT_EQ(ReadSecret(Lookup(Env{{"X", "direct"}}), "X"), "direct");
  EXPECT_EQ(ReadSecret(Lookup(Env{{"X", "direct"}, {"X_FILE", ""}}), "X"), "direct") << "an empty X_FILE is unset";
  EXPECT_EQ(ReadSecret(Lookup(Env{}), "X"), std::nullopt);
}

TEST_F(SecretFiles, BothTheVariableAndItsFileIsAnErrorThatShowsNeither) {
  const std::string file = File("x", "in-the-file\n");
  for (const char* name : {"DATABASE_URL", "GW_KEY_PEPPER", "GW_RATE_LIMIT_REDIS_URL", "FILEBASE_ACCESS_KEY",
                           "FILEBASE_SECRET_KEY", "FILEBASE_PINNING_TOKEN"}) {
    SCOPED_TRACE(name);
    Env env = Filebase(Minimal());
    env[name] = "in-the-variable";
    env[std::string(name) + "_FILE"] = file;
    const std::string message = ConfigErrorOf(env);
    EXPECT_NE(message.find(std::string(name) + "_FILE"), std::string::npos) << message;
    EXPECT_EQ(message.find("in-the-variable"), std::string::npos) << message;
    EXPECT_EQ(message.find("in-the-file"), std::string::npos) << message;
  }
  Env parts{{"DATABASE_NAME", "gw"}, {"DATABASE_PASSWORD", "in-the-variable"}, {"DATABASE_PASSWORD_FILE", file}};
  EXPECT_THROW(BuildConnectionString(Lookup(parts)), ConfigError);
}

TEST_F(SecretFiles, AFileThatCannotBeReadIsAnErrorNamingTheVariable) {
  for (const std::string& path : {dir_.Path() + "/missing", dir_.Path()}) {  // absent; a directory
    SCOPED_TRACE(path);
    const std::string message = ConfigErrorOf(With(Without(Minimal(), "GW_KEY_PEPPER"), "GW_KEY_PEPPER_FILE", path));
    EXPECT_NE(message.find("GW_KEY_PEPPER_FILE"), std::string::npos) << message;
    EXPECT_NE(message.find(path), std::string::npos) << "the path is named: " << message;
    EXPECT_THROW(ReadSecret(Lookup(Env{{"DATABASE_URL_FILE", path}}), "DATABASE_URL"), ConfigError);
  }
}

}  // namespace
}  // namespace gw::web
