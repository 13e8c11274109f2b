#pragma once
/// @file Applies the SQL migrations listed in migrations.txt, in order, each exactly once.
///
/// Migrations are append-only: the SHA-256 of every applied file is stored, and a changed or
/// removed applied file stops the service instead of leaving databases that differ silently.

#include <string>
#include <vector>

namespace gw::persistence {

/// Applies the migrations of `migrations_dir` (listed by file name, one a line, in
/// `migrations.txt`; blank lines and lines starting with '#' are ignored) that `dsn`'s database
/// has not applied yet, each in its own transaction together with its schema_migrations row.
/// Concurrent runs serialise on an advisory lock. Returns the newly applied versions (the file
/// names), in order; empty when the database was up to date.
/// Throws domain::Error(kInternal) with a clear message when a file is missing or unreadable,
/// an applied migration's file changed or disappeared from the list, or a migration fails;
/// kDatabaseUnavailable when the database cannot be reached.
std::vector<std::string> ApplyMigrations(const std::string& dsn, const std::string& migrations_dir);

}  // namespace gw::persistence
