// The list of outputs (report/reporter.h): what `opbench report` and
// `opbench run` offer and write is what the list holds, each output once.
#include "report/reporter.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "report/csv.h"
#include "report/document.h"
#include "report/markdown.h"
#include "report/memory_table.h"
#include "report/metrics.h"
#include "report_fixtures.h"

namespace opbench {
namespace {

namespace fs = std::filesystem;
using namespace testing;

TEST(Reporters, EachHasItsOwnNameAndEachOptionFindsItsOwn) {
  std::set<std::string> names;
  for (const Reporter* r : reporters()) {
    EXPECT_TRUE(names.insert(r->name()).second) << r->name() << " is listed twice";
    EXPECT_FALSE(r->summary().empty()) << r->name();
    EXPECT_EQ(find_reporter(r->option(), r->name()), r) << r->name();
    EXPECT_EQ(&reporter(r->name()), r);
  }
  EXPECT_EQ(find_reporter(Reporter::Option::format, "average"), nullptr);  // a document, not a format
  EXPECT_EQ(reporter_names(Reporter::Option::format), "markdown, csv, gbench-json");
  EXPECT_EQ(reporter_names(Reporter::Option::document, " or "), "average or detailed");
}

// Every output of the seed's documents, CSV, HTML and charts lands in
// `report --out`, each at the name the list gives, and nothing else does.
TEST(Reporters, OutWritesEachListedFileAndNothingElse) {
  TempDir dir;
  std::vector<RunRecord> records = {cuda_machine(), cpu_machine()};
  std::vector<std::string> sources = {"a.json", "b.json"}, ops;
  ReportInput input{records, sources, ops, true};
  std::set<std::string> expected;
  for (const Reporter* r : reporters()) {
    if (r->report_file().empty()) continue;
    r->write(input, (fs::path(dir.path()) / r->report_file()).string());
    expected.insert(r->report_file());
  }
  std::set<std::string> found;
  for (const auto& entry : fs::directory_iterator(dir.path())) found.insert(entry.path().filename().string());
  EXPECT_EQ(found, expected);
  EXPECT_EQ(read_text(dir.file("average.md")), merged_document(records, DocumentKind::average));
  EXPECT_EQ(read_text(dir.file("results.csv")), csv_report(records, sources));
  EXPECT_EQ(report_file_help(), "average.md, detailed.md, report.html, results.csv and the charts (DIR/plots)");
}

// The files beside result.json: the two tables under the machine line, the
// metrics and memory only when asked for, the bandwidth only for a run of
// collectives.
TEST(Reporters, RunFilesAreTheTablesUnderTheMachineLine) {
  RunRecord r = cuda_machine();
  std::vector<std::string> always, on_request, for_collectives;
  for (const Reporter* rep : reporters()) {
    if (rep->run_file().empty()) continue;
    (rep->on_request() ? on_request : rep->has_content(r) ? always : for_collectives).push_back(rep->run_file());
  }
  EXPECT_EQ(always, (std::vector<std::string>{"average.md", "detailed.md"}));
  EXPECT_EQ(on_request, (std::vector<std::string>{"metrics.md", "memory.md"}));
  EXPECT_EQ(for_collectives, (std::vector<std::string>{"bandwidth.md"}));
  EXPECT_EQ(reporter("detailed").render_run_file(r),
            "# Detailed benchmark\n\n**" + r.description() + "**\n\n" + detailed_table(r));
  EXPECT_EQ(reporter("metrics").render_run_file(r), "# Metrics\n\n**" + r.description() + "**\n\n" + metrics_table(r));
  EXPECT_EQ(reporter("memory").render_run_file(r), "# Memory\n\n**" + r.description() + "**\n\n" + memory_table(r));
  EXPECT_EQ(run_file_help("result.json"), "result.json, average.md and detailed.md");
}

// One file's markdown is the run's own output; several files' is the two documents.
TEST(Reporters, MarkdownIsTheRunsTablesOrTheMergedDocuments) {
  std::vector<RunRecord> one = {cuda_machine()};
  std::vector<std::string> sources = {"a.json"}, ops;
  EXPECT_EQ(reporter("markdown").render({one, sources, ops, false}), render_run(one[0]));
  EXPECT_EQ(reporter("markdown").render({one, sources, ops, true}),
            merged_document(one, DocumentKind::average) + "\n" + merged_document(one, DocumentKind::detailed));
}

}  // namespace
}  // namespace opbench
