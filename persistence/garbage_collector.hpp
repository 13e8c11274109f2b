#pragma once
/// @file One garbage-collection run: removes every content that no user holds or pins, bytes
/// first, each in its own transaction (see PgFileRepository::CollectGarbage). For the CLI.

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "domain/content.hpp"

namespace gw::persistence {

/// Opens its own session on `dsn`, collects, and returns the removed CIDs. Safe to run while
/// the service takes uploads, and concurrently with another run (locked contents are skipped).
std::vector<std::string> CollectGarbage(const std::string& dsn, domain::ContentStore& store);

/// Removes spooled upload bodies no upload job that may still run refers to, once they are
/// older than `min_age` (see LocalUploadSpool::Sweep). Returns how many.
std::size_t SweepUploadSpool(const std::string& dsn, const std::string& spool_dir, std::chrono::seconds min_age);

}  // namespace gw::persistence
