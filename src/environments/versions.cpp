#include "environments/versions.h"

#include <algorithm>
#include <cctype>
#include <regex>
#include <sstream>

#include "execution/build_info.h"
#include "model/error.h"

namespace opbench {

std::string Framework::requirement_for(const std::string& version) const {
  std::string out = requirement;
  out.replace(out.find("{}"), 2, version);
  return out;
}

std::vector<std::string> Framework::cmake_args(const std::string& prefix) const {
  if (name == "torch") return {"-DTorch_DIR=" + prefix + "/torch/share/cmake/Torch"};
  return {"-DMLX_DIR=" + prefix + "/mlx/share/cmake/MLX"};
}

std::string mlx_flavour(const std::string& distributions) {
  static const std::regex cuda("mlx-cuda-([0-9]+)");
  std::string names = distributions;
  for (char& c : names) c = c == '_' || c == '.' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::istringstream words(names);
  std::smatch m;
  for (std::string name; words >> name;)
    if (std::regex_match(name, m, cuda)) return "cuda" + m[1].str();
  return "cpu";
}

Framework mlx_framework(const std::string& flavour) {
#ifdef __APPLE__
  (void)flavour;
  return {"mlx", "mlx", "mlx=={}", "OPBENCH_WITH_MLX", "opbench_mlx.so"};
#else
  // pip's extras: mlx[cpu] pulls mlx-cpu, mlx[cuda13] mlx-cuda-13; the
  // versions the index lists are the pulled package's.
  const std::string package = flavour == "cpu" ? "mlx-cpu" : "mlx-cuda-" + flavour.substr(4);
  return {"mlx", package, "mlx[" + flavour + "]=={}", "OPBENCH_WITH_MLX", "opbench_mlx.so"};
#endif
}

const std::vector<Framework>& frameworks() {
  static const std::vector<Framework> all = {
      {"torch", "torch", "torch=={}", "OPBENCH_WITH_TORCH", "opbench_torch.so"},
      mlx_framework(mlx_flavour(build_mlx_distributions())),
  };
  return all;
}

const Framework& find_framework(const std::string& name) {
  for (const Framework& f : frameworks())
    if (f.name == name) return f;
  std::string known;
  for (const Framework& f : frameworks()) known += (known.empty() ? "" : ", ") + f.name;
  throw UsageError("--versions: unknown framework " + quote(name) + " (known: " + known + ")");
}

namespace {

// A release number as pip writes one: 2.15.0, 0.31.2, 2.16.0rc1, 2.12.0.post1.
bool is_release(const std::string& text) {
  static const std::regex release(R"([0-9]+(\.[0-9]+)*((a|b|rc)[0-9]+)?(\.post[0-9]+)?)");
  return std::regex_match(text, release);
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) return parts;
    start = end + 1;
  }
}

VersionRequest parse_request(const std::string& word) {
  const size_t eq = word.find('=');
  if (eq == std::string::npos || eq == 0)
    throw UsageError("--versions " + quote(word) + ": expected FRAMEWORK=VERSION[,VERSION...], e.g. torch=2.11.0,2.15.0");
  VersionRequest r{find_framework(word.substr(0, eq)).name, {}};
  for (const std::string& v : split(word.substr(eq + 1), ',')) {
    if (!is_release(v))
      throw UsageError("--versions " + quote(word) + ": " + quote(v) + " is not a release number such as 2.15.0");
    if (std::find(r.versions.begin(), r.versions.end(), v) != r.versions.end())
      throw UsageError("--versions " + quote(word) + " names " + r.framework + " " + v + " twice");
    r.versions.push_back(v);
  }
  std::sort(r.versions.begin(), r.versions.end(), version_less);
  return r;
}

}  // namespace

std::vector<VersionRequest> parse_version_requests(const std::vector<std::string>& texts) {
  std::vector<VersionRequest> out;
  for (const std::string& text : texts) {
    std::vector<std::string> words;
    for (const std::string& w : split(text, ' '))
      if (!w.empty()) words.push_back(w);
    if (words.empty()) throw UsageError("--versions is empty: expected FRAMEWORK=VERSION[,VERSION...]");
    for (const std::string& w : words) {
      VersionRequest r = parse_request(w);
      if (std::any_of(out.begin(), out.end(), [&](const VersionRequest& o) { return o.framework == r.framework; }))
        throw UsageError("--versions names framework " + quote(r.framework) + " twice: give its versions in one list");
      out.push_back(std::move(r));
    }
  }
  return out;
}

bool version_less(const std::string& a, const std::string& b) {
  // Runs of digits compare as numbers, anything else as text.
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (std::isdigit(static_cast<unsigned char>(a[i])) && std::isdigit(static_cast<unsigned char>(b[j]))) {
      size_t ei = i, ej = j;
      while (ei < a.size() && std::isdigit(static_cast<unsigned char>(a[ei]))) ++ei;
      while (ej < b.size() && std::isdigit(static_cast<unsigned char>(b[ej]))) ++ej;
      std::string x = a.substr(i, ei - i), y = b.substr(j, ej - j);
      x.erase(0, std::min(x.find_first_not_of('0'), x.size() - 1));
      y.erase(0, std::min(y.find_first_not_of('0'), y.size() - 1));
      if (x.size() != y.size()) return x.size() < y.size();
      if (x != y) return x < y;
      i = ei, j = ej;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i, ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

}  // namespace opbench
