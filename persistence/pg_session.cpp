#include "persistence/pg_session.hpp"

#include <pqxx/pqxx>

#include "domain/error.hpp"
#include "persistence/audit_writer.hpp"
#include "persistence/pg_account_repository.hpp"
#include "persistence/pg_audit_repository.hpp"
#include "persistence/pg_connection.hpp"
#include "persistence/pg_file_repository.hpp"
#include "persistence/pg_job_queue.hpp"
#include "persistence/pg_session_repository.hpp"

namespace gw::persistence {
namespace {

constexpr const char* kPing = "session_ping";
constexpr const char* kConnections = "session_connections";

std::vector<PreparedStatement> AllStatements() {
  std::vector<PreparedStatement> statements = PgAccountRepository::Statements();
  for (auto& statement : PgAuditRepository::Statements()) statements.push_back(std::move(statement));
  for (auto& statement : PgFileRepository::Statements()) statements.push_back(std::move(statement));
  for (auto& statement : PgSessionRepository::Statements()) statements.push_back(std::move(statement));
  // The whole queue (a superset of the Enqueue statements the file repository needs).
  for (auto& statement : PgJobQueue::Statements()) statements.push_back(std::move(statement));
  // Once per connection, shared by every repository that writes audit rows.
  for (auto& statement : AuditWriter::Statements()) statements.push_back(std::move(statement));
  statements.push_back({kPing, "SELECT 1"});
  // The service's own connections as the server sees them (every host's, for this role), not
  // counting the one asking.
  statements.push_back({kConnections,
                        "SELECT COALESCE(state, 'unknown'), count(*) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND usename = current_user AND pid <> pg_backend_pid() "
                        "GROUP BY 1 ORDER BY 1"});
  return statements;
}

}  // namespace

struct PgSession::Impl {
  explicit Impl(std::string dsn)
      : connection(std::move(dsn), AllStatements()),
        accounts(connection),
        audit(connection),
        files(connection),
        jobs(connection),
        sessions(connection) {}

  PgConnection connection;
  PgAccountRepository accounts;
  PgAuditRepository audit;
  PgFileRepository files;
  PgJobQueue jobs;
  PgSessionRepository sessions;
};

PgSession::PgSession(std::string dsn) : impl_(std::make_unique<Impl>(std::move(dsn))) {}

PgSession::~PgSession() = default;

domain::AccountRepository& PgSession::Accounts() { return impl_->accounts; }

domain::AuditRepository& PgSession::Audit() { return impl_->audit; }

domain::FileRepository& PgSession::Files() { return impl_->files; }

domain::JobQueue& PgSession::Jobs() { return impl_->jobs; }

domain::SessionRepository& PgSession::Sessions() { return impl_->sessions; }

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

std::vector<std::pair<std::string, std::int64_t>> PgSession::ConnectionsByState() {
  return impl_->connection.Run([](pqxx::connection_base& connection) {
    pqxx::nontransaction txn(connection);
    std::vector<std::pair<std::string, std::int64_t>> counts;
    for (const auto& row : txn.exec_prepared(kConnections)) {
      counts.emplace_back(row[0].as<std::string>(), row[1].as<std::int64_t>());
    }
    return counts;
  });
}

}  // namespace gw::persistence
