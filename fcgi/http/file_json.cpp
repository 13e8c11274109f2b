#include "fcgi/http/file_json.hpp"

#include <nlohmann/json.hpp>

namespace gw::web {

nlohmann::json FileToJson(const domain::StoredFile& file) {
  return {{"cid", file.cid},
          {"original_filename", file.original_filename},
          {"filename", file.safe_filename},
          {"size", file.size},
          {"mime_type", file.mime_type},
          {"pinned", file.pinned},
          {"uploaded_at", file.uploaded_at}};
}

}  // namespace gw::web
