#include "persistence/pg_session.hpp"

#include <pqxx/pqxx>

#include "domain/error.hpp"
#include "persistence/pg_account_repository.hpp"
#include "persistence/pg_audit_repository.hpp"
#include "persistence/pg_connection.hpp"

namespace gw::persistence {
namespace {

constexpr const char* kPing = "session_ping";

std::vector<PreparedStatement> AllStatements() {
  std::vector<PreparedStatement> statements = PgAccountRepository::Statements();
  for (auto& statement : PgAuditRepository::Statements()) statements.push_back(std::move(statement));
  statements.push_back({kPing, "SELECT 1"});
  return statements;
}

}  // namespace

struct PgSession::Impl {
  explicit Impl(std::string dsn) : connection(std::move(dsn), AllStatements()), accounts(connection), audit(connection) {}

  PgConnection connection;
  PgAccountRepository accounts;
  PgAuditRepository audit;
};

PgSession::PgSession(std::string dsn) : impl_(std::make_unique<Impl>(std::move(dsn))) {}

PgSession::~PgSession() = default;

domain::AccountRepository& PgSession::Accounts() { return impl_->accounts; }

domain::AuditRepository& PgSession::Audit() { return impl_->audit; }

bool PgSession::Ping() {
  try {
    return impl_->connection.Run([](pqxx::connection_base& connection) {
      pqxx::nontransaction txn(connection);
      const auto result = txn.exec_prepared(kPing);
      ExpectRows(result.size(), 1, 1, kPing);
      return result[0][0].as<int>() == 1;
    });
  } catch (const domain::Error&) {
    return false;
  }
}

}  // namespace gw::persistence
