// CIDv0 end to end below HTTP: a store importing with unixfs-v0-2015, the content use cases and
// real PostgreSQL. Files are recorded, answered and stored under "Qm..." and found by any
// spelling of their CID; a deployment that changes its profile keeps the CIDs of earlier files.
#include <algorithm>
#include <filesystem>
#include <memory>

#include "content_test_support.hpp"
#include "domain/cid.hpp"
#include "domain/cid_profile.hpp"
#include "domain/content_service.hpp"
#include "domain/error.hpp"
#include "persistence/garbage_collector.hpp"
#include "persistence/local_content_store.hpp"
#include "persistence/pg_session.hpp"
#include "pg_test_support.hpp"

namespace gw::persistence::testing {
namespace {

const domain::AuditContext kAudit{"req-v0", "198.51.100.11", std::nullopt};

class CidProfileTest : public PgSuite {
 protected:
  void SetUp() override {
    PgSuite::SetUp();
    if (!HasDatabase()) return;
    session_ = std::make_unique<PgSession>(Db().Dsn());
    const std::string digits = std::to_string(++seed_);
    user_ = session_->Accounts().CreateAccount({"v0-" + digits + "@profiles.example.com", "",
                                                std::string(64 - digits.size(), 'c') + digits, "gw_p" + digits, false},
                                               "register", kAudit);
  }
  domain::Principal Caller() const { return {user_, "", false, ""}; }
  domain::StoredFile Upload(LocalContentStore& store, const std::string& bytes, const std::string& name) {
    const auto path = spool_.Path() + "/body";
    WriteFile(path, bytes);
    domain::ContentService service(store);
    return service.Upload(session_->Files(), Caller(), {path, 0, bytes.size(), name}, kAudit).file.value();
  }
  domain::FileRepository& Files() { return session_->Files(); }

  static inline int seed_ = 0;
  std::unique_ptr<PgSession> session_;
  domain::UserId user_ = 0;
  TempDir root_;
  TempDir spool_;
  LocalContentStore v0_store_{root_.Path(), domain::ImportParamsOf(domain::CidProfile::kUnixFsV0_2015)};
  LocalContentStore default_store_{root_.Path()};
  domain::ContentService v0_{v0_store_};
};

TEST_F(CidProfileTest, AV0UploadIsRecordedRetrievedListedPinnedAndDeletedAsQm) {
  const auto bytes = Bytes(2 * 262144 + 5, 41);
  const auto expected = Imported(bytes, domain::ImportParamsOf(domain::CidProfile::kUnixFsV0_2015)).cid;
  ASSERT_TRUE(expected.starts_with("Qm")) << expected;
  const auto file = Upload(v0_store_, bytes, "v0.bin");
  EXPECT_EQ(file.cid, expected);
  EXPECT_EQ(Db().Scalar("SELECT count(*) FROM contents WHERE cid = $1", expected), "1");
  EXPECT_EQ(ReadFile(v0_store_.FilePath(expected)), bytes);

  // Found by its own spelling and by every spelling of the same CID (v1 base32, base58btc, base16),
  // and always answered as recorded.
  const auto cid = domain::Cid::Parse(expected);
  for (const std::string& spelling : {expected, cid.ToCanonicalV1String(), cid.ToString(domain::Multibase::kBase58Btc),
                                      cid.ToString(domain::Multibase::kBase16)}) {
    SCOPED_TRACE(spelling);
    EXPECT_EQ(v0_.FindForRetrieval(Files(), Caller(), spelling, kAudit).cid, expected);
    domain::FileQuery query;
    query.cid = spelling;
    const auto page = v0_.List(Files(), Caller(), query, kAudit);
    ASSERT_EQ(page.items.size(), 1u);
    EXPECT_EQ(page.items[0].cid, expected);
    EXPECT_EQ(page.total, 1);
  }
  EXPECT_EQ(v0_store_.InternalUri(v0_.FindForRetrieval(Files(), Caller(), expected, kAudit).cid),
            "/_content/" + cid.ToCanonicalV1String().substr(cid.ToCanonicalV1String().size() - 2) + "/" + expected);
  EXPECT_EQ(v0_.List(Files(), Caller(), {}, kAudit).items.at(0).cid, expected);

  EXPECT_EQ(v0_.Unpin(Files(), Caller(), cid.ToCanonicalV1String(), kAudit).cid, expected);
  EXPECT_EQ(Db().Scalar("SELECT pinned::text FROM files WHERE cid = $1", expected), "false");
  EXPECT_EQ(v0_.Pin(Files(), Caller(), expected, kAudit).cid, expected);
  EXPECT_EQ(Db().Scalar("SELECT pinned::text FROM files WHERE cid = $1", expected), "true");
  EXPECT_EQ(
      Db().Scalar("SELECT count(*) FROM audit_log WHERE action IN ('pin', 'unpin') AND details->>'cid' = $1", expected),
      "2");

  EXPECT_EQ(v0_.Delete(Files(), Caller(), expected, kAudit), expected);
  EXPECT_THROW(v0_.FindForRetrieval(Files(), Caller(), expected, kAudit), domain::Error);
  // Nobody holds it any more: garbage collection removes the Qm-named file and its blocks.
  const auto removed = CollectGarbage(Db().Dsn(), v0_store_);
  EXPECT_NE(std::find(removed.begin(), removed.end(), expected), removed.end());
  EXPECT_FALSE(std::filesystem::exists(v0_store_.FilePath(expected)));
  EXPECT_FALSE(std::filesystem::exists(v0_store_.BlocksPath(expected)));
}

TEST_F(CidProfileTest, ChangingTheProfileChangesNewCidsOnlyAndKeepsEarlierFilesAsRecorded) {
  const auto bytes = Bytes(300000, 42);
  const auto before = Upload(v0_store_, bytes, "before.bin");     // the deployment ran unixfs-v0-2015
  const auto after = Upload(default_store_, bytes, "after.bin");  // then switched to the default
  ASSERT_TRUE(before.cid.starts_with("Qm")) << before.cid;
  ASSERT_TRUE(after.cid.starts_with("bafybei")) << after.cid;
  EXPECT_EQ(after.cid, Imported(bytes).cid);
  // Two contents, two holdings, each answered and served under its own CID.
  const auto page = v0_.List(Files(), Caller(), {}, kAudit);
  ASSERT_EQ(page.items.size(), 2u);
  EXPECT_EQ(page.items[0].cid, after.cid);
  EXPECT_EQ(page.items[1].cid, before.cid);
  EXPECT_EQ(v0_.FindForRetrieval(Files(), Caller(), before.cid, kAudit).cid, before.cid);
  EXPECT_EQ(v0_.FindForRetrieval(Files(), Caller(), after.cid, kAudit).cid, after.cid);
  EXPECT_EQ(ReadFile(default_store_.FilePath(before.cid)), bytes);
  EXPECT_EQ(ReadFile(default_store_.FilePath(after.cid)), bytes);
  // The v1 spelling of the Qm CID names the v0 file, never the other one.
  const auto v0_as_v1 = domain::Cid::Parse(before.cid).ToCanonicalV1String();
  EXPECT_NE(v0_as_v1, after.cid);
  EXPECT_EQ(v0_.FindForRetrieval(Files(), Caller(), v0_as_v1, kAudit).cid, before.cid);
}

TEST_F(CidProfileTest, AnotherUsersQmFileIsNotFound) {
  const auto file = Upload(v0_store_, Bytes(1000, 43), "mine.bin");
  const std::string digits = std::to_string(++seed_);
  const auto other =
      session_->Accounts().CreateAccount({"v0-other-" + digits + "@profiles.example.com", "",
                                          std::string(64 - digits.size(), 'd') + digits, "gw_q" + digits, false},
                                         "register", kAudit);
  const domain::Principal intruder{other, "", false, ""};
  EXPECT_THROW(v0_.FindForRetrieval(Files(), intruder, file.cid, kAudit), domain::Error);
  EXPECT_THROW(v0_.Delete(Files(), intruder, file.cid, kAudit), domain::Error);
  EXPECT_THROW(v0_.Pin(Files(), intruder, file.cid, kAudit), domain::Error);
}

}  // namespace
}  // namespace gw::persistence::testing
