#pragma once
/// @file A small declarative description of a JSON request body, checked by WithJsonBody.

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <string_view>
#include <vector>

namespace gw::web {

/// kInteger: a whole number that fits a signed 64-bit integer.
enum class JsonType { kString, kInteger, kBoolean, kObject };

struct BodySchema;

struct FieldSpec {
  std::string_view name;
  JsonType type = JsonType::kString;
  bool required = true;
  std::size_t max_length = 1024;       //!< for strings, in bytes
  const BodySchema* fields = nullptr;  //!< for objects: their own schema (fields named "outer.inner")
};

struct BodySchema {
  std::vector<FieldSpec> fields;
  bool body_optional = false;  //!< an empty body counts as {}
};

/// Parses a request body as JSON. Throws kInvalidJson (details.position) when it is not JSON,
/// or holds a number no double can hold (1e400), and kInvalidJson naming the key (details.key,
/// "outer.inner" when nested) when an object repeats a key: nlohmann would keep the last value
/// silently, so `{"plan":"free","plan":"pro"}` would mean whatever the last parser in a chain of
/// proxies decides (RFC 8259 leaves it open; I-JSON, RFC 7493, forbids it).
nlohmann::json ParseJsonBody(std::string_view text);

/// Throws kValidationFailed naming the first offending field: body not an object, a required
/// field missing, a field of the wrong type or too long, or a field the schema does not know
/// (a typo in a field name should fail loudly, not be ignored). An object field with its own
/// schema is checked the same way, its fields named "outer.inner".
void Validate(const BodySchema& schema, const nlohmann::json& body);

}  // namespace gw::web
