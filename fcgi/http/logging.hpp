#pragma once
/// @file JSON-lines logging on spdlog: every line is one JSON object with ts, level and pid,
/// followed by the event's own fields. All project logging goes through LogEvent so that no line
/// is ever plain text in a JSON file.

#include <nlohmann/json_fwd.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace spdlog {
class logger;
}

namespace gw::web {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

/// A rotating (10 MiB x 5) JSON-lines file logger; each line is written through at once.
std::shared_ptr<spdlog::logger> MakeJsonLogger(const std::string& name, const std::string& path,
                                               const std::string& level);

/// Writes `fields` (a JSON object) as one line.
void LogEvent(spdlog::logger& log, LogLevel level, const nlohmann::json& fields);

/// The hot path's way to the same lines (the access line of every request): no JSON tree is
/// built. LogEnabled says whether to build the line at all; LogObjectTail writes `tail`, an
/// object's members and its closing brace (`"a":1,"b":"x"}`): the pattern opened the object.
/// Callers write the members in key order, as nlohmann::json's dump of the same object would.
bool LogEnabled(spdlog::logger& log, LogLevel level);
void LogObjectTail(spdlog::logger& log, LogLevel level, std::string_view tail);

}  // namespace gw::web
