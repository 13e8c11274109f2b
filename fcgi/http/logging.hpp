#pragma once
/// @file JSON-lines logging on spdlog: every line is one JSON object with ts, level and pid,
/// followed by the event's own fields. All project logging goes through LogEvent so that no line
/// is ever plain text in a JSON file.

#include <nlohmann/json_fwd.hpp>

#include <memory>
#include <string>

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

}  // namespace gw::web
