// `dealstack doctor` as a library call: checks what the browsers need to start the host
// and what the host needs to work, and says each problem in plain words with the command
// that fixes it.
//
// Checked, for each browser this user has run (its folder exists), each manifest the
// install record lists and each system manifest present: the manifest is there, is JSON,
// names com.dealstack.host as its file does, has a description, an absolute path to a
// program that exists, is executable and is not writable by other users, type "stdio",
// and a non-empty list of well-formed extension ids that the allow-list also holds; the
// manifest itself is not writable by other users. Then the agent's socket (present, a
// socket, ours, answering) and the database file (present, a file, ours, private enough).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "install/browsers.hpp"
#include "install/record.hpp"
#include "platform/paths.hpp"

namespace dealstack::install {

struct Problem {
  std::string subject;  // "chromium", "firefox", ..., "allow-list", "agent", "database"
  std::string code;     // stable snake_case, see doctor.cpp's list
  std::string message;  // one plain sentence
  std::string fix;      // the shell command that fixes it
};

struct CheckedManifest {
  Browser browser = Browser::chromium;
  Place place = Place::user;
  std::filesystem::path file;
  bool ok = false;
};

struct DoctorReport {
  std::vector<CheckedManifest> manifests;
  std::vector<Problem> problems;
  bool ok() const { return problems.empty(); }
};

struct DoctorOptions {
  std::vector<Browser> browsers;  // empty: every browser found or recorded
  Os os = current_os();
};

// Never fails: what can't be read is itself a problem in the report.
DoctorReport run_doctor(const DoctorOptions& options, const platform::Paths& paths, const platform::EnvLookup& env);

}  // namespace dealstack::install
