#include "fcgi/process/child_exit.hpp"

#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

#if defined(GW_COVERAGE)
extern "C" void __gcov_dump(void);  // libgcov (linked by --coverage): writes this process's .gcda counters
#endif

namespace gw::fcgi {

void ExitChild(int rc) {
#if defined(GW_COVERAGE)
  __gcov_dump();
#endif
#if defined(__SANITIZE_ADDRESS__)
  // a leak found here ends the child with LeakSanitizer's report (in ASAN_OPTIONS' log_path)
  __lsan_do_leak_check();
#endif
  _exit(rc);
}

}  // namespace gw::fcgi
