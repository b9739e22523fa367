// Sends one desktop notification: org.freedesktop.Notifications.Notify on the user's session
// bus, through libdbus on a private connection of its own (opened, used, closed; the
// process is never made to exit when the bus goes away). Blocks the calling thread for at
// most `timeout_ms` in all (connect, authenticate, Hello, Notify); the agent's event loop
// uses Notifier (notifier.hpp) instead. Prints nothing.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/result.hpp"
#include "notify/notification.hpp"

namespace dealstack::notify {

using EnvLookup = std::function<std::optional<std::string>(const char* name)>;

// The process's real environment.
std::optional<std::string> real_env(const char* name);

struct NotifyOptions {
  // A D-Bus address ("unix:path=/run/user/1000/bus"). Empty: DBUS_SESSION_BUS_ADDRESS, else
  // unix:path=$XDG_RUNTIME_DIR/bus when that socket exists. Default: empty. Only unix:
  // transports are used (tcp: could block resolving names, autolaunch: starts programs).
  std::string bus_address;
  EnvLookup env = real_env;             // where the two variables above are read
  // The whole exchange, milliseconds (0 or less: gives up at once). Default: 5000
  std::int32_t timeout_ms = 5000;
  std::string app_name = "dealstack";   // the spec's app_name (servers group by it)
  Limits limits;
};

// The address send_notification would use. Errors: "no_session_bus" (none set, and no
// socket at $XDG_RUNTIME_DIR/bus).
Result<std::string> session_bus_address(const NotifyOptions& options);

// Returns the id the server gave the notification. Errors (stable):
//   "invalid_notification"       see prepare() (notification.hpp); nothing is sent
//   "no_session_bus"             no address (or not a unix: one), can't connect, or the
//                                bus hung up mid-call
//   "notifications_unavailable"  no one owns org.freedesktop.Notifications (nor can the bus
//                                start a service for it)
//   "notify_failed"              the server answered with an error (message names it) or
//                                with something that is not an id
//   "timeout"                    no answer within options.timeout_ms
Result<std::uint32_t> send_notification(const Notification& n, const NotifyOptions& options = {});

namespace detail {
// As above; also gives up (error "cancelled") within about 50 ms of `*cancel` becoming true,
// so Notifier::stop() does not wait out a slow server.
Result<std::uint32_t> send_notification(const Notification& n, const NotifyOptions& options,
                                        const std::atomic<bool>* cancel);
}  // namespace detail

}  // namespace dealstack::notify
