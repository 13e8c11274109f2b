#pragma once
/// @file JSON form of a stored file, shared by the upload and list handlers.

#include <nlohmann/json_fwd.hpp>

#include "domain/content.hpp"

namespace gw::web {

/// {cid, original_filename, filename, size, mime_type, pinned, uploaded_at}
nlohmann::json FileToJson(const domain::StoredFile& file);

}  // namespace gw::web
