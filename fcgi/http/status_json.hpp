#pragma once
/// @file The data of POST /status as JSON text, written by hand: it is the benchmarked
/// authenticated route, and building a JSON tree of its sixteen fields for every request cost
/// more than the rest of the handler.

#include <string>

#include "domain/account.hpp"

namespace gw::web {

/// {created_at, email, is_admin, key_created_at, key_prefix, last_renewed_at,
///  limits: {burst, requests_per_minute, upload_bytes_per_day}, plan, state, usage_count}:
/// the same bytes as nlohmann::json's dump of those fields (keys in its order).
std::string AccountStatusJson(const domain::AccountStatus& status);

}  // namespace gw::web
