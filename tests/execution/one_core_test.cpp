// Every thread held on one core while a GPU cell is timed, and given back
// the core set it had: threads started before, each with a set of its own,
// and one started while held.
#include "execution/one_core.h"

#include <gtest/gtest.h>
#include <sched.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <set>
#include <thread>
#include <vector>

namespace opbench {
namespace {

std::set<int> cores_of(pid_t thread) {
  cpu_set_t set;
  CPU_ZERO(&set);
  EXPECT_EQ(sched_getaffinity(thread, sizeof set, &set), 0);
  std::set<int> cores;
  for (int c = 0; c < CPU_SETSIZE; ++c)
    if (CPU_ISSET(c, &set)) cores.insert(c);
  return cores;
}

void hold_on(pid_t thread, const std::set<int>& cores) {
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int c : cores) CPU_SET(c, &set);
  ASSERT_EQ(sched_setaffinity(thread, sizeof set, &set), 0);
}

// A thread that reports its id and waits until told to end.
class Waiting {
 public:
  Waiting() : thread_([this] {
      id_ = gettid();
      while (!done_) std::this_thread::yield();
    }) {
    while (id_ == 0) std::this_thread::yield();
  }
  ~Waiting() {
    done_ = true;
    thread_.join();
  }
  pid_t id() const { return id_; }

 private:
  std::atomic<pid_t> id_{0};
  std::atomic<bool> done_{false};
  std::thread thread_;
};

TEST(OneCore, HoldsEveryThreadOnTheCallersCoreAndGivesEachItsSetBack) {
  const std::set<int> all = cores_of(0);
  if (all.size() < 2) GTEST_SKIP() << "one core: nothing to hold";
  Waiting a, b;
  const std::set<int> first_only{*all.begin()};
  hold_on(b.id(), first_only);  // a set of its own, to be given back as it was
  std::unique_ptr<Waiting> later;
  {
    OneCore held;
    ASSERT_GE(held.core(), 0);
    EXPECT_TRUE(all.count(held.core()));
    const std::set<int> one{held.core()};
    for (pid_t thread : process_threads()) EXPECT_EQ(cores_of(thread), one) << "thread " << thread;
    EXPECT_EQ(cores_of(a.id()), one);
    EXPECT_EQ(cores_of(b.id()), one);
    // A thread started now inherits the held set; it gets the process's after.
    later = std::make_unique<Waiting>();
    EXPECT_EQ(cores_of(later->id()), one);
  }
  EXPECT_EQ(cores_of(0), all);
  EXPECT_EQ(cores_of(a.id()), all);
  EXPECT_EQ(cores_of(b.id()), first_only);
  EXPECT_EQ(cores_of(later->id()), all);
}

}  // namespace
}  // namespace opbench
