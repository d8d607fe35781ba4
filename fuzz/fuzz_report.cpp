// libFuzzer target: `opbench report` and `opbench compare` over two result
// files. The input is the two files' texts, split at the first "\n@@@\n" (or
// one text read as both). Each file that parses goes through every renderer
// of report (the run's tables, the merged documents, CSV, HTML, charts,
// google/benchmark JSON); two that parse are also compared, one run a side
// and two.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "format/json.h"
#include "model/error.h"
#include "report/charts.h"
#include "report/compare.h"
#include "report/csv.h"
#include "report/document.h"
#include "report/gbench.h"
#include "report/html.h"
#include "report/markdown.h"

namespace {

using namespace opbench;

void render(const std::vector<RunRecord>& records) {
  const std::vector<std::string> sources = {"a.json", "b.json"};
  (void)render_run(records[0]);
  (void)gbench_json(records[0]);
  (void)merged_document(records, DocumentKind::average);
  (void)merged_document(records, DocumentKind::detailed);
  (void)csv_report(records, sources);
  (void)html_report(records, sources, {});
  (void)report_charts(records, {});
}

void compare(const RunRecord& base, const RunRecord& next) {
  CompareSettings settings;
  (void)comparison_header({"base.json"}, {base}, {"new.json"}, {next});
  (void)render_comparison(compare_runs(base, next, settings), settings);
  (void)render_comparison(compare_runs(std::vector<RunRecord>{base, next}, {next, base}, settings), settings);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  size_t cut = input.find("\n@@@\n");
  std::vector<std::string> texts = {input.substr(0, cut), cut == std::string::npos ? input : input.substr(cut + 5)};
  std::vector<RunRecord> records;
  for (const std::string& text : texts) {
    try {
      records.push_back(from_json(text, "fuzz.json"));
    } catch (const UsageError&) {
    }
  }
  if (records.empty()) return 0;
  render(records);
  if (records.size() == 2) compare(records[0], records[1]);
  return 0;
}
