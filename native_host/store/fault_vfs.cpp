#include "store/fault_vfs.hpp"

#include <sqlite3.h>

#include <atomic>
#include <cstring>
#include <mutex>

namespace dealstack::store::fault_vfs {

namespace {

constexpr const char* kName = "dealstack-fault";

std::atomic<bool> g_armed{false};
std::atomic<std::int64_t> g_budget{0};
std::atomic<std::int64_t> g_operations{0};
std::atomic<std::int64_t> g_failures{0};

// True when this write-like call must fail.
bool should_fail() {
  g_operations.fetch_add(1);
  if (!g_armed.load()) return false;
  if (g_budget.fetch_sub(1) > 0) return false;
  g_failures.fetch_add(1);
  return true;
}

// Our file: the SQLite-visible header, followed in the same allocation by the real file.
struct FaultFile {
  sqlite3_file base;
  sqlite3_file* real;
};

sqlite3_vfs* real_vfs(sqlite3_vfs* vfs) { return static_cast<sqlite3_vfs*>(vfs->pAppData); }
sqlite3_file* real_of(sqlite3_file* f) { return reinterpret_cast<FaultFile*>(f)->real; }

int x_close(sqlite3_file* f) {
  sqlite3_file* real = real_of(f);
  return real->pMethods != nullptr ? real->pMethods->xClose(real) : SQLITE_OK;
}
int x_read(sqlite3_file* f, void* buf, int amount, sqlite3_int64 offset) {
  sqlite3_file* real = real_of(f);
  return real->pMethods->xRead(real, buf, amount, offset);
}
int x_write(sqlite3_file* f, const void* buf, int amount, sqlite3_int64 offset) {
  if (should_fail()) return SQLITE_IOERR_WRITE;
  sqlite3_file* real = real_of(f);
  return real->pMethods->xWrite(real, buf, amount, offset);
}
int x_truncate(sqlite3_file* f, sqlite3_int64 size) {
  if (should_fail()) return SQLITE_IOERR_TRUNCATE;
  sqlite3_file* real = real_of(f);
  return real->pMethods->xTruncate(real, size);
}
int x_sync(sqlite3_file* f, int flags) {
  if (should_fail()) return SQLITE_IOERR_FSYNC;
  sqlite3_file* real = real_of(f);
  return real->pMethods->xSync(real, flags);
}
int x_file_size(sqlite3_file* f, sqlite3_int64* size) {
  sqlite3_file* real = real_of(f);
  return real->pMethods->xFileSize(real, size);
}
int x_lock(sqlite3_file* f, int level) {
  sqlite3_file* real = real_of(f);
  return real->pMethods->xLock(real, level);
}
int x_unlock(sqlite3_file* f, int level) {
  sqlite3_file* real = real_of(f);
  return real->pMethods->xUnlock(real, level);
}
int x_check_reserved_lock(sqlite3_file* f, int* out) {
  sqlite3_file* real = real_of(f);
  return real->pMethods->xCheckReservedLock(real, out);
}
int x_file_control(sqlite3_file* f, int op, void* arg) {
  sqlite3_file* real = real_of(f);
  return real->pMethods->xFileControl(real, op, arg);
}
int x_sector_size(sqlite3_file* f) {
  sqlite3_file* real = real_of(f);
  return real->pMethods->xSectorSize(real);
}
int x_device_characteristics(sqlite3_file* f) {
  sqlite3_file* real = real_of(f);
  return real->pMethods->xDeviceCharacteristics(real);
}
// Shared memory (the WAL index) is not the durable record: forwarded without failures.
int x_shm_map(sqlite3_file* f, int page, int size, int extend, void volatile** out) {
  sqlite3_file* real = real_of(f);
  if (real->pMethods->iVersion < 2 || real->pMethods->xShmMap == nullptr) return SQLITE_IOERR_SHMMAP;
  return real->pMethods->xShmMap(real, page, size, extend, out);
}
int x_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
  sqlite3_file* real = real_of(f);
  return real->pMethods->xShmLock(real, offset, n, flags);
}
void x_shm_barrier(sqlite3_file* f) {
  sqlite3_file* real = real_of(f);
  real->pMethods->xShmBarrier(real);
}
int x_shm_unmap(sqlite3_file* f, int delete_flag) {
  sqlite3_file* real = real_of(f);
  return real->pMethods->xShmUnmap(real, delete_flag);
}
int x_fetch(sqlite3_file* f, sqlite3_int64 offset, int amount, void** out) {
  sqlite3_file* real = real_of(f);
  if (real->pMethods->iVersion < 3 || real->pMethods->xFetch == nullptr) {
    *out = nullptr;
    return SQLITE_OK;
  }
  return real->pMethods->xFetch(real, offset, amount, out);
}
int x_unfetch(sqlite3_file* f, sqlite3_int64 offset, void* p) {
  sqlite3_file* real = real_of(f);
  if (real->pMethods->iVersion < 3 || real->pMethods->xUnfetch == nullptr) return SQLITE_OK;
  return real->pMethods->xUnfetch(real, offset, p);
}

const sqlite3_io_methods kIoMethods = {
    3,
    x_close,
    x_read,
    x_write,
    x_truncate,
    x_sync,
    x_file_size,
    x_lock,
    x_unlock,
    x_check_reserved_lock,
    x_file_control,
    x_sector_size,
    x_device_characteristics,
    x_shm_map,
    x_shm_lock,
    x_shm_barrier,
    x_shm_unmap,
    x_fetch,
    x_unfetch,
};

int x_open(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
  auto* ours = reinterpret_cast<FaultFile*>(f);
  ours->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(f) + sizeof(FaultFile));
  ours->real->pMethods = nullptr;
  const int rc = real_vfs(vfs)->xOpen(real_vfs(vfs), name, ours->real, flags, out_flags);
  // SQLite calls xClose when pMethods is set, even after a failed open.
  ours->base.pMethods = ours->real->pMethods != nullptr ? &kIoMethods : nullptr;
  return rc;
}
int x_delete(sqlite3_vfs* vfs, const char* name, int sync_dir) {
  return real_vfs(vfs)->xDelete(real_vfs(vfs), name, sync_dir);
}
int x_access(sqlite3_vfs* vfs, const char* name, int flags, int* out) {
  return real_vfs(vfs)->xAccess(real_vfs(vfs), name, flags, out);
}
int x_full_pathname(sqlite3_vfs* vfs, const char* name, int n, char* out) {
  return real_vfs(vfs)->xFullPathname(real_vfs(vfs), name, n, out);
}
void* x_dl_open(sqlite3_vfs* vfs, const char* name) { return real_vfs(vfs)->xDlOpen(real_vfs(vfs), name); }
void x_dl_error(sqlite3_vfs* vfs, int n, char* out) { real_vfs(vfs)->xDlError(real_vfs(vfs), n, out); }
void (*x_dl_sym(sqlite3_vfs* vfs, void* handle, const char* symbol))(void) {
  return real_vfs(vfs)->xDlSym(real_vfs(vfs), handle, symbol);
}
void x_dl_close(sqlite3_vfs* vfs, void* handle) { real_vfs(vfs)->xDlClose(real_vfs(vfs), handle); }
int x_randomness(sqlite3_vfs* vfs, int n, char* out) {
  return real_vfs(vfs)->xRandomness(real_vfs(vfs), n, out);
}
int x_sleep(sqlite3_vfs* vfs, int microseconds) {
  return real_vfs(vfs)->xSleep(real_vfs(vfs), microseconds);
}
int x_current_time(sqlite3_vfs* vfs, double* out) {
  return real_vfs(vfs)->xCurrentTime(real_vfs(vfs), out);
}
int x_get_last_error(sqlite3_vfs* vfs, int n, char* out) {
  return real_vfs(vfs)->xGetLastError(real_vfs(vfs), n, out);
}
int x_current_time_int64(sqlite3_vfs* vfs, sqlite3_int64* out) {
  return real_vfs(vfs)->xCurrentTimeInt64(real_vfs(vfs), out);
}

sqlite3_vfs g_vfs{};

}  // namespace

const char* name() {
  static std::once_flag once;
  std::call_once(once, [] {
    sqlite3_vfs* real = sqlite3_vfs_find(nullptr);
    g_vfs.iVersion = 2;  // up to xCurrentTimeInt64; the system-call overrides are not forwarded
    g_vfs.szOsFile = static_cast<int>(sizeof(FaultFile)) + real->szOsFile;
    g_vfs.mxPathname = real->mxPathname;
    g_vfs.zName = kName;
    g_vfs.pAppData = real;
    g_vfs.xOpen = x_open;
    g_vfs.xDelete = x_delete;
    g_vfs.xAccess = x_access;
    g_vfs.xFullPathname = x_full_pathname;
    g_vfs.xDlOpen = x_dl_open;
    g_vfs.xDlError = x_dl_error;
    g_vfs.xDlSym = x_dl_sym;
    g_vfs.xDlClose = x_dl_close;
    g_vfs.xRandomness = x_randomness;
    g_vfs.xSleep = x_sleep;
    g_vfs.xCurrentTime = x_current_time;
    g_vfs.xGetLastError = x_get_last_error;
    g_vfs.xCurrentTimeInt64 = x_current_time_int64;
    sqlite3_vfs_register(&g_vfs, 0);
  });
  return kName;
}

void fail_after(std::int64_t n) {
  g_operations = 0;
  g_failures = 0;
  g_budget = n;
  g_armed = true;
}

void disarm() {
  g_armed = false;
  g_operations = 0;
  g_failures = 0;
}

std::int64_t operations() { return g_operations.load(); }
std::int64_t failures() { return g_failures.load(); }

}  // namespace dealstack::store::fault_vfs
