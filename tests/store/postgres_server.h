#pragma once
// A real PostgreSQL server for the tests: initdb into a temporary folder,
// started on a free loopback port, stopped at the end of the test program.
// PostgreSQL refuses to run as root: as root, the server runs as the
// `postgres` user (which Debian's package creates) through runuser.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <glob.h>
#include <string>

namespace opbench::testing {

class PostgresServer : public ::testing::Environment {
 public:
  // The URL of a new, empty database on the server; "" when there is none
  // (then why() says why).
  static std::string new_database();
  static const std::string& why() { return why_; }
  static std::string url(const std::string& database) {
    return "postgresql://opbench@127.0.0.1:" + std::to_string(port_) + "/" + database;
  }

  void SetUp() override;
  void TearDown() override;

 private:
  static std::string as_server_user(const std::string& command) {
    return geteuid() == 0 ? "runuser -u postgres -- " + command : command;
  }
  static inline std::string bin_, dir_, why_ = "not started";
  static inline int port_ = 0;
  static inline bool up_ = false;
};

}  // namespace opbench::testing
