#pragma once
// The ranks of a collective experiment: which process this is among them, and
// the environment that tells each framework's runtime where to meet.
//
// `opbench run` starts one worker process a rank on this host and gives each
// the variables both frameworks read (their own launchers' conventions):
//   RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT   torchrun's (c10d's TCPStore)
//   MLX_RANK, MLX_WORLD_SIZE, MLX_HOSTFILE                  mlx.launch's (ring backend)
//   NCCL_HOST_IP, NCCL_PORT                                  mlx.launch's (NCCL backend)
//   GLOO_SOCKET_IFNAME=lo                                    Gloo on loopback
//   CUDA_VISIBLE_DEVICES                                     one GPU a rank
//   OPBENCH_RENDEZVOUS_TIMEOUT_S                             below the cell's time limit
// Across hosts the user sets them instead (README, "Collectives").
#include <string>
#include <utility>
#include <vector>

#include "model/result.h"

namespace opbench {

struct World {
  int rank = 0;
  int size = 1;
};

// This process's place from RANK and WORLD_SIZE; a world of one where they
// are unset. Throws UsageError naming a malformed or inconsistent value.
World world_from_environment();

// How long a rank waits for its peers to meet, in seconds:
// OPBENCH_RENDEZVOUS_TIMEOUT_S, else 60. The launcher sets it below the
// cell's time limit, so that a failed rendezvous says so before the limit.
double rendezvous_timeout_s();

// Checks that this process's world is the one `ranks` asks for, and returns
// it; throws std::runtime_error saying how they differ.
World world_of(int ranks);

// Where the ranks of one local world meet: free loopback ports, found when the
// world starts, and the MLX ring's host file (written by the launcher).
struct Rendezvous {
  int size = 1;
  double timeout_s = 60;
  int torch_port = 0;
  int nccl_port = 0;
  std::vector<int> ring_ports;   // one a rank
  std::string ring_hostfile;     // the path of the JSON file that lists them
};

// A rendezvous of `size` ranks on 127.0.0.1: ports the system had free, and
// the MLX host file written to a temporary file. Throws std::runtime_error.
Rendezvous local_rendezvous(int size, double timeout_s);
// Removes the host file.
void remove_rendezvous(const Rendezvous& r);

// The variables of rank `rank`: NAME=value pairs for its environment.
// `visible_gpus` is the launcher's CUDA_VISIBLE_DEVICES (empty: all), of
// which rank r gets the r-th GPU.
std::vector<std::pair<std::string, std::string>> rank_environment(const Rendezvous& r, int rank,
                                                                  const std::string& visible_gpus);

// "rank 1: " in a world of several ranks; nothing for one process.
std::string rank_prefix(size_t ranks, size_t rank);

// The cell of a world: rank 0's (`first`), unless rank `rank` failed where it
// did not (an error first, then a wrong result); then that rank's, its
// reason naming it. Every rank checks the whole world's result, so a wrong
// one shows on all of them alike.
Cell world_cell(Cell first, Cell theirs, size_t ranks, size_t rank);

}  // namespace opbench
