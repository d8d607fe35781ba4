#include "postgres_server.h"

#include <arpa/inet.h>

#include "store/database.h"

namespace opbench::testing {

namespace {

std::string find_bin() {
  glob_t found{};
  std::string bin;
  if (glob("/usr/lib/postgresql/*/bin/initdb", 0, nullptr, &found) == 0 && found.gl_pathc > 0)
    bin = std::filesystem::path(found.gl_pathv[found.gl_pathc - 1]).parent_path().string();  // the newest
  globfree(&found);
  return bin;
}

// A port nothing listens on now: the kernel's choice for port 0.
int free_port() {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof a;
  int port = 0;
  if (bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 && getsockname(s, reinterpret_cast<sockaddr*>(&a), &size) == 0)
    port = ntohs(a.sin_port);
  close(s);
  return port;
}

}  // namespace

void PostgresServer::SetUp() {
  bin_ = find_bin();
  if (bin_.empty()) {
    why_ = "no PostgreSQL server installed (/usr/lib/postgresql/*/bin/initdb; scripts/setup.sh installs it)";
    return;
  }
  char pattern[] = "/tmp/opbench_pg_XXXXXX";
  if (!mkdtemp(pattern)) {
    why_ = "mkdtemp failed";
    return;
  }
  dir_ = pattern;
  if (geteuid() == 0) std::system(("chown postgres " + dir_).c_str());
  port_ = free_port();
  std::string log = dir_ + "/server.log";
  std::string init = as_server_user(bin_ + "/initdb -D " + dir_ + "/data -A trust -U opbench -E UTF8 --no-sync") +
                     " > " + dir_ + "/initdb.log 2>&1";
  std::string start = as_server_user(bin_ + "/pg_ctl -D " + dir_ + "/data -w -t 60 -l " + log + " -o '-p " +
                                     std::to_string(port_) + " -k " + dir_ + " -c listen_addresses=127.0.0.1 -c fsync=off'" +
                                     " start") + " > " + dir_ + "/pg_ctl.log 2>&1";
  if (std::system(init.c_str()) != 0) {
    why_ = "initdb failed (see " + dir_ + "/initdb.log)";
    return;
  }
  if (std::system(start.c_str()) != 0) {
    why_ = "the server did not start (see " + log + ")";
    return;
  }
  up_ = true;
  why_.clear();
}

void PostgresServer::TearDown() {
  if (up_) std::system((as_server_user(bin_ + "/pg_ctl -D " + dir_ + "/data -m fast -w stop") + " > /dev/null 2>&1").c_str());
  up_ = false;
  if (!dir_.empty()) std::filesystem::remove_all(dir_);
}

std::string PostgresServer::new_database() {
  if (!up_) return "";
  static int serial = 0;
  std::string name = "t" + std::to_string(getpid()) + "_" + std::to_string(++serial);
  open_postgres(url("postgres"))->run("CREATE DATABASE " + name);  // a name made here, not input
  return url(name);
}

}  // namespace opbench::testing
