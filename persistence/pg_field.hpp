#pragma once
/// @file Reading a column that may be NULL (a .cpp-only header of persistence/: it includes libpqxx).

#include <optional>
#include <pqxx/pqxx>

namespace gw::persistence {

/// The field's value, or nullopt for SQL NULL.
template <typename T>
std::optional<T> Nullable(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return field.as<T>();
}

}  // namespace gw::persistence
