#pragma once
/// @file One garbage-collection run: removes every content that no user holds or pins, bytes
/// first, each in its own transaction (see PgFileRepository::CollectGarbage). For the CLI.

#include <string>
#include <vector>

#include "domain/content.hpp"

namespace gw::persistence {

/// Opens its own session on `dsn`, collects, and returns the removed CIDs. Safe to run while
/// the service takes uploads, and concurrently with another run (locked contents are skipped).
std::vector<std::string> CollectGarbage(const std::string& dsn, domain::ContentStore& store);

}  // namespace gw::persistence
