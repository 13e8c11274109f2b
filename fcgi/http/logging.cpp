#include "fcgi/http/logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

namespace gw::web {

std::shared_ptr<spdlog::logger> MakeJsonLogger(const std::string& name, const std::string& path,
                                               const std::string& level) {
  constexpr std::size_t kMaxFileBytes = 10 * 1024 * 1024;
  constexpr std::size_t kMaxFiles = 5;
  auto sink = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(path, kMaxFileBytes, kMaxFiles);
  auto logger = std::make_shared<spdlog::logger>(name, std::move(sink));
  // The message is the tail of a JSON object (see LogEvent), so the pattern opens the object.
  logger->set_formatter(std::make_unique<spdlog::pattern_formatter>(
      R"({"ts":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l","pid":%P,%v)", spdlog::pattern_time_type::utc));
  logger->set_level(spdlog::level::from_str(level));
  // Every line is written through at once: spdlog's periodic flusher is a thread in a global
  // registry, which does not survive fork(), and operators tail these files live.
  logger->flush_on(spdlog::level::debug);
  return logger;
}

namespace {

spdlog::level::level_enum SpdLevel(LogLevel level) {
  return level == LogLevel::kDebug  ? spdlog::level::debug
         : level == LogLevel::kInfo ? spdlog::level::info
         : level == LogLevel::kWarn ? spdlog::level::warn
                                    : spdlog::level::err;
}

}  // namespace

void LogEvent(spdlog::logger& log, LogLevel level, const nlohmann::json& fields) {
  const auto spd_level = SpdLevel(level);
  if (!log.should_log(spd_level)) return;
  // Replace invalid UTF-8 instead of throwing: log fields may echo client input.
  std::string text = fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (text.size() >= 2 && text.front() == '{') text.erase(0, 1);  // the pattern opened the object
  if (text == "}") text = R"("event":"empty"})";
  log.log(spd_level, text);
}

bool LogEnabled(spdlog::logger& log, LogLevel level) { return log.should_log(SpdLevel(level)); }

void LogObjectTail(spdlog::logger& log, LogLevel level, std::string_view tail) {
  const auto spd_level = SpdLevel(level);
  if (log.should_log(spd_level)) log.log(spd_level, spdlog::string_view_t(tail.data(), tail.size()));
}

}  // namespace gw::web
