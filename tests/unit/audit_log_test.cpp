// ReadAuditLog: who may read the audit log, and how the client's filters are checked and passed on.
#include "domain/audit_log.hpp"

#include <gtest/gtest.h>

#include "code_of.hpp"
#include "domain/error.hpp"

namespace gw::domain {
namespace {

using test::CodeOf;

class RecordingAudit final : public AuditRepository {
 public:
  Page<AuditEntry> List(const AuditQuery& query) override {
    ++calls;
    last = query;
    Page<AuditEntry> page;
    page.page = query.page;
    page.limit = query.limit;
    page.total = 1;
    page.items.push_back(AuditEntry{7, "a@b.co", std::nullopt, "register", "{}", "req", "127.0.0.1", "now"});
    return page;
  }
  int calls = 0;
  AuditQuery last;
};

const Principal kAdmin{1, "root@example.com", true, "ipfs_gw_abcdef"};
const Principal kUser{2, "user@example.com", false, "ipfs_gw_ghijkl"};

TEST(ReadAuditLog, OnlyAnAdministratorMayReadIt) {
  RecordingAudit audit;
  EXPECT_EQ(CodeOf([&] { ReadAuditLog(audit, kUser, {}); }), ErrorCode::kForbidden);
  EXPECT_EQ(audit.calls, 0) << "a refused caller must not reach the repository";
  EXPECT_EQ(ReadAuditLog(audit, kAdmin, {}).items.size(), 1u);
  EXPECT_EQ(audit.calls, 1);
}

TEST(ReadAuditLog, FiltersArePassedOnNormalised) {
  RecordingAudit audit;
  AuditFilter filter{" Ada@Example.COM ", "renew", "2026-01-01", "2026-12-31T23:59:59Z", 3, 50};
  const auto page = ReadAuditLog(audit, kAdmin, filter);
  EXPECT_EQ(audit.last.user_email, "ada@example.com");
  EXPECT_EQ(audit.last.action, "renew");
  EXPECT_EQ(audit.last.since, "2026-01-01");
  EXPECT_EQ(audit.last.until, "2026-12-31T23:59:59Z");
  EXPECT_EQ(audit.last.page, 3);
  EXPECT_EQ(audit.last.limit, 50);
  EXPECT_EQ(page.page, 3);
}

TEST(ReadAuditLog, AnEmptyActionMeansAnyAction) {
  RecordingAudit audit;
  ReadAuditLog(audit, kAdmin, AuditFilter{std::nullopt, "", std::nullopt, std::nullopt, 1, 20});
  EXPECT_FALSE(audit.last.action.has_value());
  EXPECT_FALSE(audit.last.user_email.has_value());
}

TEST(ReadAuditLog, BadFiltersAreInvalidQueriesNamingTheParameter) {
  RecordingAudit audit;
  for (const auto& [filter, parameter] : {std::pair{AuditFilter{"not-an-email", {}, {}, {}, 1, 20}, "user"},
                                          std::pair{AuditFilter{{}, {}, "yesterday", {}, 1, 20}, "since"},
                                          std::pair{AuditFilter{{}, {}, {}, "2026-13-01", 1, 20}, "until"}}) {
    try {
      ReadAuditLog(audit, kAdmin, filter);
      ADD_FAILURE() << parameter << " was accepted";
    } catch (const Error& error) {
      EXPECT_EQ(error.Code(), ErrorCode::kInvalidQuery) << parameter;
      const std::string details = [&] {
        for (const auto& [key, value] : error.Details()) {
          if (key == "parameter") return value;
        }
        return std::string();
      }();
      EXPECT_EQ(details, parameter);
    }
  }
  EXPECT_EQ(audit.calls, 0);
}

}  // namespace
}  // namespace gw::domain
