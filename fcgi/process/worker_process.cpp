#include "fcgi/process/worker_process.hpp"

#include <fcgiapp.h>

#include <nlohmann/json.hpp>

#include <memory>

#include "domain/error.hpp"
#include "fcgi/http/error_table.hpp"
#include "fcgi/http/logging.hpp"
#include "fcgi/process/fcgi_transport.hpp"
#include "fcgi/process/request_loop.hpp"

namespace gw::fcgi {
namespace {

using web::LogEvent;
using web::LogLevel;

void HandleOne(FCGX_Request& raw, const WorkerOptions& options, const web::Handler& application, ThreadState& state,
               spdlog::logger& log) {
  web::Request request;
  web::Response response;
  try {
    ReadRequest(raw, options.max_body, request);
    response = application(request, state.Context());
  } catch (const domain::Error& error) {  // only ReadRequest throws these past the application
    LogEvent(log, LogLevel::kWarn, {{"type", "rejected"}, {"request_id", request.request_id}, {"error", error.what()}});
    response = web::ErrorResponse(error, request.request_id);
  } catch (const std::exception& error) {
    LogEvent(log, LogLevel::kError, {{"type", "error"}, {"request_id", request.request_id}, {"error", error.what()}});
    response = web::ErrorResponse(domain::Error(domain::ErrorCode::kInternal), request.request_id);
  } catch (...) {
    LogEvent(log, LogLevel::kError, {{"type", "error"}, {"request_id", request.request_id}, {"error", "unknown"}});
    response = web::ErrorResponse(domain::Error(domain::ErrorCode::kInternal), request.request_id);
  }
  WriteResponse(raw, request, response);
}

// What nginx sent beyond what the handler read (a refused body, the empty record that ends
// STDIN) must go before the connection carries the next request.
void DiscardUnreadInput(FCGX_Request& raw) {
  char sink[4096];
  while (FCGX_GetStr(sink, sizeof(sink), raw.in) > 0) {
  }
}

}  // namespace

int RunWorkerProcess(int listen_fd, const WorkerOptions& options, const web::Handler& application,
                     const ThreadStateFactory& make_thread_state, spdlog::logger& log) {
  const MakeServeRequest make_server = [&]() -> ServeRequest {
    std::shared_ptr<ThreadState> state = make_thread_state();
    return [&, state](FCGX_Request& raw) {
      try {
        HandleOne(raw, options, application, *state, log);
        DiscardUnreadInput(raw);
      } catch (...) {
        // Writing the response failed (client went away): nothing left to tell anyone.
      }
    };
  };
  return RunRequestLoop(listen_fd, {options.threads, options.drain_timeout}, make_server, log);
}

}  // namespace gw::fcgi
