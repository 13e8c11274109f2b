#pragma once

namespace gw::fcgi {

/// Ends a forked child (a FastCGI or job worker) with _exit(rc): a fork of the supervisor must not
/// run the supervisor's atexit handlers and static destructors. Instrumented builds first do what
/// those handlers would have done for the instrumentation: the coverage build writes the child's
/// gcov counters (./gw coverage), the sanitizer build runs LeakSanitizer's check on the child
/// (./gw test --sanitize). Other builds: exactly _exit(rc).
[[noreturn]] void ExitChild(int rc);

}  // namespace gw::fcgi
