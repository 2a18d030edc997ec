#include "common/shared_mutex.h"

#include <cerrno>
#include <cstdlib>

namespace braid {
namespace {

// The pthread calls fail only on misuse (a lock not held, a deadlock the library saw): as
// std::shared_mutex does with such errors, stop rather than run on with a broken lock.
void Check(int rc) {
  if (rc != 0) std::abort();
}

}  // namespace

SharedMutex::SharedMutex() {
  pthread_rwlockattr_t attributes;
  Check(pthread_rwlockattr_init(&attributes));
  Check(pthread_rwlockattr_setkind_np(&attributes, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP));
  Check(pthread_rwlock_init(&lock_, &attributes));
  pthread_rwlockattr_destroy(&attributes);
}

SharedMutex::~SharedMutex() { pthread_rwlock_destroy(&lock_); }

void SharedMutex::lock() { Check(pthread_rwlock_wrlock(&lock_)); }

bool SharedMutex::try_lock() {
  const int rc = pthread_rwlock_trywrlock(&lock_);
  if (rc == EBUSY) return false;
  Check(rc);
  return true;
}

void SharedMutex::unlock() { Check(pthread_rwlock_unlock(&lock_)); }

void SharedMutex::lock_shared() {
  int rc;
  // EAGAIN: the maximum number of read locks (about 2^30) is held; wait for one to go.
  while ((rc = pthread_rwlock_rdlock(&lock_)) == EAGAIN) {
  }
  Check(rc);
}

bool SharedMutex::try_lock_shared() {
  const int rc = pthread_rwlock_tryrdlock(&lock_);
  if (rc == EBUSY || rc == EAGAIN) return false;
  Check(rc);
  return true;
}

void SharedMutex::unlock_shared() { Check(pthread_rwlock_unlock(&lock_)); }

}  // namespace braid
