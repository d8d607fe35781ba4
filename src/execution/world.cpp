#include "execution/world.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include "model/error.h"
#include "model/experiment.h"

namespace opbench {

namespace {

// The whole number in variable `name`, or `fallback` when it is unset.
int whole_number(const char* name, int fallback, int lowest) {
  const char* text = std::getenv(name);
  if (!text) return fallback;
  std::string_view v(text);
  int value = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), value);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size() || value < lowest || value > kMaxRanks)
    throw UsageError(std::string(name) + "=" + quote(v) + " is not a whole number from " + std::to_string(lowest) +
                     " to " + std::to_string(kMaxRanks));
  return value;
}

// Ports of 127.0.0.1 that nobody listens on now, `count` of them, all
// different: each socket stays bound until every port is found, or the system
// could hand out one port twice. Another program may take one before a rank
// does; that rank's rendezvous then fails and says so.
std::vector<int> free_ports(int count) {
  std::vector<int> fds, ports;
  std::string failure;
  for (int k = 0; k < count && failure.empty(); ++k) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
      failure = std::string("cannot open a socket: ") + std::strerror(errno);
      break;
    }
    fds.push_back(fd);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0)
      failure = std::string("cannot find a free port on 127.0.0.1: ") + std::strerror(errno);
    else
      ports.push_back(ntohs(address.sin_port));
  }
  for (int fd : fds) close(fd);
  if (!failure.empty()) throw std::runtime_error(failure);
  return ports;
}

}  // namespace

World world_from_environment() {
  World w;
  w.size = whole_number("WORLD_SIZE", 1, 1);
  w.rank = whole_number("RANK", 0, 0);
  if (w.rank >= w.size)
    throw UsageError("RANK=" + std::to_string(w.rank) + " is not below WORLD_SIZE=" + std::to_string(w.size));
  return w;
}

double rendezvous_timeout_s() {
  const char* text = std::getenv("OPBENCH_RENDEZVOUS_TIMEOUT_S");
  if (!text) return 60;
  char* end = nullptr;
  double s = std::strtod(text, &end);
  if (end == text || *end || !(s > 0 && s < 1e6))
    throw UsageError("OPBENCH_RENDEZVOUS_TIMEOUT_S=" + quote(text) + " is not a positive number of seconds");
  return s;
}

World world_of(int ranks) {
  World w = world_from_environment();
  if (w.size != ranks)
    throw std::runtime_error("the experiment asks for " + std::to_string(ranks) + " ranks, but this process is rank " +
                             std::to_string(w.rank) + " of WORLD_SIZE=" + std::to_string(w.size) +
                             (w.size == 1 ? " (a collective of several ranks needs opbench run's worker processes)" : ""));
  return w;
}

Rendezvous local_rendezvous(int size, double timeout_s) {
  Rendezvous r;
  r.size = size;
  r.timeout_s = timeout_s;
  std::vector<int> ports = free_ports(size + 2);
  r.torch_port = ports[0];
  r.nccl_port = ports[1];
  r.ring_ports.assign(ports.begin() + 2, ports.end());
  std::string hosts = "[";
  for (int rank = 0; rank < size; ++rank)
    hosts += std::string(rank ? ", " : "") + "[\"127.0.0.1:" + std::to_string(r.ring_ports[rank]) + "\"]";
  hosts += "]\n";
  char path[] = "/tmp/opbench-ring-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) throw std::runtime_error(std::string("cannot write MLX's ring host file: ") + std::strerror(errno));
  bool written = write(fd, hosts.data(), hosts.size()) == static_cast<ssize_t>(hosts.size());
  close(fd);
  r.ring_hostfile = path;
  if (!written) {
    remove_rendezvous(r);
    throw std::runtime_error("cannot write MLX's ring host file " + r.ring_hostfile);
  }
  return r;
}

void remove_rendezvous(const Rendezvous& r) {
  if (!r.ring_hostfile.empty()) unlink(r.ring_hostfile.c_str());
}

std::vector<std::pair<std::string, std::string>> rank_environment(const Rendezvous& r, int rank,
                                                                  const std::string& visible_gpus) {
  std::string gpu = std::to_string(rank);
  if (!visible_gpus.empty()) {  // the r-th of the launcher's list, or none past its end
    size_t begin = 0;
    for (int k = 0; k < rank && begin != std::string::npos; ++k) {
      begin = visible_gpus.find(',', begin);
      if (begin != std::string::npos) ++begin;
    }
    gpu = begin == std::string::npos ? "" : visible_gpus.substr(begin, visible_gpus.find(',', begin) - begin);
    if (gpu.empty()) gpu = "-1";  // past the list's end, or an empty entry: no GPU, not all of them
  }
  const std::string n = std::to_string(r.size), me = std::to_string(rank);
  return {{"RANK", me},
          {"WORLD_SIZE", n},
          {"LOCAL_RANK", me},
          {"LOCAL_WORLD_SIZE", n},
          {"MASTER_ADDR", "127.0.0.1"},
          {"MASTER_PORT", std::to_string(r.torch_port)},
          {"MLX_RANK", me},
          {"MLX_WORLD_SIZE", n},
          {"MLX_HOSTFILE", r.ring_hostfile},
          {"NCCL_HOST_IP", "127.0.0.1"},
          {"NCCL_PORT", std::to_string(r.nccl_port)},
          {"GLOO_SOCKET_IFNAME", "lo"},
          {"CUDA_VISIBLE_DEVICES", gpu},
          {"OPBENCH_RENDEZVOUS_TIMEOUT_S", std::to_string(r.timeout_s)}};
}

std::string rank_prefix(size_t ranks, size_t rank) {
  return ranks > 1 ? "rank " + std::to_string(rank) + ": " : std::string();
}


Cell world_cell(Cell first, Cell theirs, size_t ranks, size_t rank) {
  bool worse = (!theirs.error.empty() && first.error.empty()) || (first.ok() && theirs.wrong());
  if (!worse) return first;
  std::string& reason = theirs.error.empty() ? theirs.check.detail : theirs.error;
  reason = rank_prefix(ranks, rank) + reason;
  return theirs;
}


}  // namespace opbench
