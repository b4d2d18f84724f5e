#pragma once
// Files embedded into the library at build time (report/CMakeLists.txt, embed_file.cmake),
// so that `rungs report` needs neither the source tree nor the network.
#include <string_view>

namespace rungs::report::assets {

extern const std::string_view chart_js;          // vendor/chart.umd.min.js (Chart.js 4.6.1)
extern const std::string_view chart_js_license;  // vendor/chart.js.LICENSE.md (MIT)
extern const std::string_view error_capture_js;  // error_capture.js
extern const std::string_view report_js;         // report.js
extern const std::string_view report_css;        // report.css

}  // namespace rungs::report::assets
