#pragma once
/// @file The job table: the one place that binds job types to the code that runs them (the
/// job worker's counterpart of the route table).

#include "domain/content.hpp"
#include "domain/content_service.hpp"
#include "fcgi/jobs/job_runner.hpp"

namespace gw::web {

/// Handlers for every job type the service creates, bound to one job thread's repositories.
fcgi::JobHandlers BuildJobHandlers(domain::ContentService& content, domain::FileRepository& files);

}  // namespace gw::web
