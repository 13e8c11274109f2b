#include <pqxx/pqxx>

#include <memory>
#include <string>

#include "persistence/audit_writer.hpp"
#include "pg_test_support.hpp"

namespace gw::persistence::testing {
namespace {

// AuditWriter on a connection of its own: a session that says synchronous_commit = on, as a
// production server does (the test clusters turn it off for speed).
class AuditWriterTest : public PgSuite {
 protected:
  void SetUp() override {
    PgSuite::SetUp();
    if (!HasDatabase()) return;
    connection_ = std::make_unique<pqxx::connection>(Db().Dsn());
    for (const auto& statement : AuditWriter::Statements()) connection_->prepare(statement.name, statement.sql);
    pqxx::nontransaction txn(*connection_);
    txn.exec("SET synchronous_commit = on");
    user_ =
        std::stoll(Db().Scalar("INSERT INTO users (email) VALUES ('reader-' || gen_random_uuid() || "
                               "'@example.com') RETURNING id"));
  }

  static std::string Setting(pqxx::transaction_base& txn) {
    return txn.exec1("SHOW synchronous_commit")[0].as<std::string>();
  }
  std::string RowsOf(const std::string& request_id) const {
    return Db().Scalar("SELECT count(*) FROM audit_log WHERE request_id = $1", request_id);
  }

  std::unique_ptr<pqxx::connection> connection_;
  domain::UserId user_ = 0;
};

TEST_F(AuditWriterTest, AReadsRowCommitsOnItsOwnWithoutChangingTheSessionsDurability) {
  pqxx::nontransaction txn(*connection_);
  AuditWriter::WriteOfRead(txn, user_, "list_files", {"read-1", "192.0.2.1", std::nullopt}, {{"page", "1"}});
  EXPECT_EQ(RowsOf("read-1"), "1");  // committed: another connection sees it
  EXPECT_EQ(Setting(txn), "on");     // the next statement on the connection (a change's) is synchronous
  EXPECT_EQ(Db().Scalar("SELECT details::text FROM audit_log WHERE request_id = $1", "read-1"), R"({"page": "1"})");
}

TEST_F(AuditWriterTest, InATransactionTheReadsRowMakesOnlyItsCommitAsynchronous) {
  {
    pqxx::work txn(*connection_);
    AuditWriter::WriteOfRead(txn, user_, "list_files", {"read-2", "192.0.2.1", std::nullopt}, {});
    EXPECT_EQ(Setting(txn), "off");
    EXPECT_EQ(RowsOf("read-2"), "0");  // not yet committed
    txn.commit();
  }
  EXPECT_EQ(RowsOf("read-2"), "1");
  pqxx::work next(*connection_);
  EXPECT_EQ(Setting(next), "on");
  AuditWriter::Write(next, user_, "upload", {"write-1", "192.0.2.1", std::nullopt}, {});
  EXPECT_EQ(Setting(next), "on");  // a change's row keeps the session's setting
  next.commit();
  EXPECT_EQ(RowsOf("write-1"), "1");
}

}  // namespace
}  // namespace gw::persistence::testing
