#include "environments/store.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "environments/process.h"
#include "execution/isolation.h"
#include "execution/worker_process.h"
#include "model/error.h"
#include "model/text.h"

namespace opbench {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

std::string tag(const Framework& f, const std::string& version) { return f.name + "-" + version; }

// The layers a plug-in takes from the program (it includes their headers,
// and the program exports their symbols).
constexpr const char* kProgramLayers[] = {"model", "format", "execution"};

// A source file of those layers newer than this program: a plug-in built
// from the sources now would not match the program's own core.
std::string changed_source(const std::string& source_dir) {
  std::error_code ec;
  const auto built = fs::last_write_time(this_executable(), ec);
  if (ec) return "";
  for (const char* layer : kProgramLayers)
    for (auto it = fs::recursive_directory_iterator(source_dir + "/src/" + layer, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
      if (it->is_regular_file(ec) && it->last_write_time(ec) > built) return it->path().string();
  return "";
}

// Every file of the framework's plug-in folder, for the plug-in's key: a
// changed plug-in source is built again though the program is the same.
std::string plugin_sources(const std::string& source_dir, const std::string& framework) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(source_dir + "/src/backends/" + framework, ec))
    if (entry.is_regular_file(ec)) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  std::string text;
  for (const fs::path& file : files) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    text += file.filename().string() + "\n" + content.str();
  }
  return text;
}

}  // namespace

std::string default_versions_root() {
  if (const char* dir = std::getenv("OPBENCH_VERSIONS_DIR"); dir && *dir) return dir;
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.opbench";
}

std::vector<std::string> listed_versions(const std::string& output) {
  const std::string key = "Available versions:";
  size_t at = output.find(key);
  if (at == std::string::npos) return {};
  std::istringstream list(output.substr(at + key.size(), output.find('\n', at) - at - key.size()));
  std::vector<std::string> out;
  for (std::string v; std::getline(list, v, ',');) {
    v.erase(0, v.find_first_not_of(' '));
    v.erase(v.find_last_not_of(" \r") + 1);
    if (!v.empty()) out.push_back(v);
  }
  return out;
}

std::string VersionStore::build_python_has(const Framework& f, const std::string& version) const {
  const std::string key = tag(f, version);
  if (auto it = asked_.find(key); it != asked_.end()) return it->second;
  std::error_code ec;
  fs::create_directories(s_.root + "/envs", ec);
  const std::string log = s_.root + "/envs/build-python.log";
  // The distribution's metadata, not an import: importing torch takes seconds.
  ProcessResult r = run_process({s_.python, "-c",
                                 "import importlib.metadata as m, sys; d = m.distribution(sys.argv[1]); "
                                 "print('version', d.version.split('+')[0]); print('at', d.locate_file(''))",
                                 f.name},
                                log);
  std::string found;
  if (r.ok() && r.output.find("version " + version + "\n") != std::string::npos) {
    size_t at = r.output.find("\nat ");
    if (at != std::string::npos) found = r.output.substr(at + 4, r.output.find('\n', at + 4) - at - 4);
  }
  return asked_[key] = found;
}

std::string VersionStore::environment_dir(const Framework& f, const std::string& version) const {
  if (std::string own = build_python_has(f, version); !own.empty()) return own;
  return s_.root + "/envs/" + tag(f, version);
}

std::string VersionStore::plugin_path(const Framework& f, const std::string& version) const {
  return s_.root + "/plugins/" + tag(f, version) + "-" +
         digest_hex(s_.build_key + "\n" + plugin_sources(s_.source_dir, f.name)) + ".so";
}

void VersionStore::check_available(const VersionRequest& request) const {
  const Framework& f = find_framework(request.framework);
  std::error_code ec;
  if (std::all_of(request.versions.begin(), request.versions.end(),
                  [&](const std::string& v) { return fs::is_directory(environment_dir(f, v), ec); }))
    return;
  fs::create_directories(s_.root + "/envs", ec);
  ProcessResult r = run_process({s_.python, "-m", "pip", "index", "versions", "--disable-pip-version-check",
                                 "--no-input", f.package},
                                s_.root + "/envs/index.log");
  const std::vector<std::string> listed = listed_versions(r.output);
  if (!r.ok() || listed.empty())
    throw UsageError("--versions " + f.name + ": cannot ask the package index which versions of " + f.package +
                     " exist (" + s_.python + " -m pip index versions " + f.package + ": " + failure_line(r.output) + ")");
  for (const std::string& v : request.versions) {
    if (fs::is_directory(environment_dir(f, v), ec) || std::find(listed.begin(), listed.end(), v) != listed.end())
      continue;
    std::string some;
    for (size_t i = 0; i < listed.size() && i < 8; ++i) some += (i ? ", " : "") + listed[i];
    throw UsageError("--versions " + f.name + "=" + v + ": the package index has no " + f.package + " " + v +
                     " for this platform (newest: " + some + ")");
  }
}

std::string VersionStore::install(const Framework& f, const std::string& version, PreparedVersion& out) const {
  const std::string final_dir = environment_dir(f, version), envs = s_.root + "/envs";
  std::error_code ec;
  if (fs::is_directory(final_dir, ec)) return "";
  // What a killed or failed install left: never used, removed before another try.
  const std::string partial = "." + tag(f, version) + ".partial-";
  for (const auto& entry : fs::directory_iterator(envs, ec))
    if (entry.path().filename().string().rfind(partial, 0) == 0) fs::remove_all(entry.path(), ec);
  const std::string work = envs + "/" + partial + std::to_string(getpid());
  Clock::time_point start = Clock::now();
  ProcessResult r = run_process({s_.python, "-m", "pip", "install", "--disable-pip-version-check", "--no-input",
                                 "--no-warn-script-location", "--target", work, f.requirement_for(version)},
                                final_dir + ".log", {}, true);
  out.install_s = seconds_since(start);
  if (r.ok()) {
    fs::rename(work, final_dir, ec);
    if (!ec) {
      out.installed = true;
      return "";
    }
  }
  fs::remove_all(work, ec);
  return "cannot install " + f.requirement_for(version) + ": " +
         (r.ok() ? "cannot move it into place" : failure_line(r.output)) + " (log: " + final_dir + ".log)";
}

std::string VersionStore::build(const Framework& f, const std::string& version, PreparedVersion& out) const {
  const std::string module = plugin_path(f, version);
  std::error_code ec;
  if (fs::is_regular_file(module, ec)) return "";
  if (std::string changed = changed_source(s_.source_dir); !changed.empty())
    return "cannot build the " + f.name + " " + version + " plug-in: " + changed +
           " changed since this opbench was built (run make build first)";
  const std::string build_dir = s_.root + "/plugins/build/" + tag(f, version), log = build_dir + ".log";
  fs::create_directories(build_dir, ec);
  Clock::time_point start = Clock::now();
  std::remove(log.c_str());
  ProcessResult r = run_process(configure_command(f, version), log, {}, true);
  const std::string target = "opbench_" + f.name + "_module";
  if (r.ok()) r = run_process({"cmake", "--build", build_dir, "--target", target}, log, {}, true);
  out.build_s = seconds_since(start);
  const std::string built = build_dir + "/plugins/" + f.module;
  if (r.ok() && !fs::is_regular_file(built, ec))
    return "cannot build the " + f.name + " " + version + " plug-in: CMake did not find " + f.name + " " + version +
           " in " + environment_dir(f, version) + " (log: " + log + ")";
  if (!r.ok()) {
    // The compiler names the file from the build folder (../../work/opbench/src/...): from src/ on.
    std::string why = failure_line(r.output);
    if (size_t src = why.find("/src/"); why.rfind("../", 0) == 0 && src != std::string::npos) why.erase(0, src + 1);
    return "cannot build the " + f.name + " " + version + " plug-in: " + why + " (log: " + log + ")";
  }
  const std::string work = module + ".partial-" + std::to_string(getpid());
  fs::copy_file(built, work, fs::copy_options::overwrite_existing, ec);
  if (!ec) fs::rename(work, module, ec);
  if (ec) {
    fs::remove(work, ec);
    return "cannot keep the " + f.name + " " + version + " plug-in in " + module + ": " + ec.message();
  }
  out.built = true;
  prune_plugins(s_.root + "/plugins", f, version, module);
  return "";
}

std::vector<std::string> VersionStore::configure_command(const Framework& f, const std::string& version) const {
  std::vector<std::string> configure = {"cmake", "-S", s_.source_dir, "-B", s_.root + "/plugins/build/" + tag(f, version),
                                        "-G", "Ninja", "-DCMAKE_BUILD_TYPE=" + s_.build_type, "-DOPBENCH_TESTS=OFF"};
  configure.insert(configure.end(), s_.configure_args.begin(), s_.configure_args.end());
  for (const Framework& other : frameworks())
    configure.push_back("-D" + other.cmake_option + (other.name == f.name ? "=ON" : "=OFF"));
  for (const std::string& arg : f.cmake_args(environment_dir(f, version))) configure.push_back(arg);
  return configure;
}

std::vector<std::string> prune_plugins(const std::string& plugins_dir, const Framework& f, const std::string& version,
                                       const std::string& keep) {
  // <fw>-<version>-<16 hex digits>.so: plugin_path's names, and no other version's.
  const std::regex name(std::regex_replace(tag(f, version), std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)") +
                        "-[0-9a-f]{16}\\.so");
  std::vector<std::string> removed;
  std::error_code ec;
  const fs::path kept = fs::path(keep).filename();
  for (const auto& entry : fs::directory_iterator(plugins_dir, ec)) {
    const fs::path file = entry.path().filename();
    if (file == kept || !entry.is_regular_file(ec) || !std::regex_match(file.string(), name)) continue;
    if (fs::remove(entry.path(), ec)) removed.push_back(entry.path().string());
  }
  return removed;
}

PreparedVersion VersionStore::prepare(const Framework& f, const std::string& version,
                                      const std::function<void(const std::string&)>& say) const {
  PreparedVersion out{f.name, version, "", "", false, false, 0, 0};
  std::error_code ec;
  fs::create_directories(s_.root + "/envs", ec);
  fs::create_directories(s_.root + "/plugins", ec);
  if (!fs::is_directory(environment_dir(f, version), ec) && say)
    say("installing " + f.requirement_for(version) + " into " + environment_dir(f, version));
  out.error = install(f, version, out);
  if (out.error.empty() && !fs::is_regular_file(plugin_path(f, version), ec) && say)
    say("building the " + f.name + " " + version + " plug-in (" + s_.root + "/plugins/build/" + tag(f, version) + ".log)");
  if (out.error.empty()) out.error = build(f, version, out);
  if (out.error.empty()) out.plugin = plugin_path(f, version);
  return out;
}

}  // namespace opbench
