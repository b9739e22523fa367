// A failure-injection seam for tests: an SQLite VFS ("dealstack-fault") that wraps the default
// one and, once armed, lets N more write, sync or truncate calls through and fails every one
// after that with an I/O error (a disk that dies and stays dead), until disarmed. Nothing is
// written by a failed call. Pass its name in Database::Options::vfs:
//
//   Database::Options o; o.vfs = fault_vfs::name();
//   fault_vfs::fail_after(3);   // ... the operation under test ...   fault_vfs::disarm();
//
// The counters are process-wide (one test at a time). Unarmed, the VFS only forwards.
#pragma once

#include <cstdint>

namespace dealstack::store::fault_vfs {

// Registers the VFS on first use (not as the default) and returns its name.
const char* name();

// From now on, `n` more write/sync/truncate calls succeed; later ones fail.
void fail_after(std::int64_t n);
// Back to forwarding everything.
void disarm();
// Write/sync/truncate calls seen since the last fail_after() or disarm(), failed ones included.
std::int64_t operations();
// Calls that were failed since the last fail_after() or disarm().
std::int64_t failures();

}  // namespace dealstack::store::fault_vfs
