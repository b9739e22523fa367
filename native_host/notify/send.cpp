#include "notify/send.hpp"

#include <dbus/dbus.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <string_view>

#include "text/utf8.hpp"

namespace dealstack::notify {

namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kBusName = "org.freedesktop.DBus";
constexpr const char* kBusPath = "/org/freedesktop/DBus";
constexpr const char* kService = "org.freedesktop.Notifications";
constexpr const char* kPath = "/org/freedesktop/Notifications";

// A reply larger than this is refused by libdbus (its default is 128 MiB): a Notify reply
// is a few dozen bytes, and the bus's own replies are small too.
constexpr long kMaxMessageBytes = 64 * 1024;
// How often a blocked wait looks at the cancel flag, milliseconds.
constexpr int kSliceMs = 50;
// Server-supplied error text is cut to this many bytes before it goes into our messages.
constexpr std::size_t kMaxServerText = 200;

struct ConnectionCloser {
  void operator()(DBusConnection* c) const {
    dbus_connection_close(c);  // private connections must be closed before the last unref
    dbus_connection_unref(c);
  }
};
struct MessageUnref {
  void operator()(DBusMessage* m) const { dbus_message_unref(m); }
};
struct PendingUnref {
  void operator()(DBusPendingCall* p) const { dbus_pending_call_unref(p); }
};
using ConnectionPtr = std::unique_ptr<DBusConnection, ConnectionCloser>;
using MessagePtr = std::unique_ptr<DBusMessage, MessageUnref>;
using PendingPtr = std::unique_ptr<DBusPendingCall, PendingUnref>;

// DBusError freed on every path.
struct ScopedError {
  DBusError e;
  ScopedError() { dbus_error_init(&e); }
  ~ScopedError() { dbus_error_free(&e); }
  ScopedError(const ScopedError&) = delete;
  ScopedError& operator=(const ScopedError&) = delete;
};

std::string server_text(const char* s) {
  return truncate_utf8(s ? std::string_view(s) : std::string_view(), kMaxServerText);
}

void init_threads_once() {
  // libdbus >= 1.7 does this on its own; calling it keeps older libraries safe, and once.
  static std::once_flag once;
  std::call_once(once, [] { dbus_threads_init_default(); });
}

struct Deadline {
  Clock::time_point at;
  int remaining_ms() const {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(at - Clock::now()).count();
    return left <= 0 ? 0 : static_cast<int>(std::min<long long>(left, 1 << 30));
  }
};

Error oom(const char* what) {
  return make_error("notify_failed", std::string("out of memory while ") + what);
}

// Sends `msg` and waits for its reply until the deadline, cancellation or disconnection.
// `step` names the call in messages ("Hello", "Notify").
Result<MessagePtr> call(DBusConnection* conn, DBusMessage* msg, const Deadline& deadline,
                        const std::atomic<bool>* cancel, const char* step) {
  DBusPendingCall* raw = nullptr;
  // Our own loop enforces the deadline, so libdbus's timer is switched off.
  if (!dbus_connection_send_with_reply(conn, msg, &raw, DBUS_TIMEOUT_INFINITE)) return oom("sending");
  if (raw == nullptr) {
    return make_error("no_session_bus", std::string("the session bus closed the connection before ") + step);
  }
  PendingPtr pending(raw);
  while (!dbus_pending_call_get_completed(pending.get())) {
    if (cancel && cancel->load()) {
      dbus_pending_call_cancel(pending.get());
      return make_error("cancelled", std::string(step) + " was cancelled");
    }
    const int left = deadline.remaining_ms();
    if (left == 0) {
      dbus_pending_call_cancel(pending.get());
      return make_error("timeout", std::string("no answer to ") + step + " from the session bus within the time limit");
    }
    const int slice = cancel ? std::min(left, kSliceMs) : left;
    if (!dbus_connection_read_write_dispatch(conn, slice)) {
      if (dbus_pending_call_get_completed(pending.get())) break;
      return make_error("no_session_bus", std::string("the session bus closed the connection during ") + step);
    }
  }
  MessagePtr reply(dbus_pending_call_steal_reply(pending.get()));
  if (!reply) return make_error("notify_failed", std::string("no reply to ") + step);
  // libdbus completes every pending call with a local NoReply error when the connection
  // drops: that is the bus going away, not an answer.
  if (dbus_message_get_type(reply.get()) == DBUS_MESSAGE_TYPE_ERROR &&
      !dbus_connection_get_is_connected(conn)) {
    return make_error("no_session_bus", std::string("the session bus closed the connection during ") + step);
  }
  return reply;
}

bool append_hints(DBusMessageIter* args, std::uint8_t urgency) {
  DBusMessageIter dict, entry, variant;
  const char* key = "urgency";
  return dbus_message_iter_open_container(args, DBUS_TYPE_ARRAY, "{sv}", &dict) &&
         dbus_message_iter_open_container(&dict, DBUS_TYPE_DICT_ENTRY, nullptr, &entry) &&
         dbus_message_iter_append_basic(&entry, DBUS_TYPE_STRING, &key) &&
         dbus_message_iter_open_container(&entry, DBUS_TYPE_VARIANT, "y", &variant) &&
         dbus_message_iter_append_basic(&variant, DBUS_TYPE_BYTE, &urgency) &&
         dbus_message_iter_close_container(&entry, &variant) &&
         dbus_message_iter_close_container(&dict, &entry) &&
         dbus_message_iter_close_container(args, &dict);
}

// Notify(app_name s, replaces_id u, app_icon s, summary s, body s, actions as,
//        hints a{sv}, expire_timeout i) -> id u
Result<MessagePtr> notify_message(const Prepared& p, const std::string& app_name) {
  MessagePtr msg(dbus_message_new_method_call(kService, kPath, kService, "Notify"));
  if (!msg) return oom("building Notify");
  const std::string app = truncate_utf8(utf8::sanitize(app_name), 64);
  const char* app_c = app.c_str();
  const dbus_uint32_t replaces = 0;
  const char* icon = p.app_icon.c_str();
  const char* summary = p.summary.c_str();
  const char* body = p.body.c_str();
  const dbus_int32_t expire = p.expire_timeout_ms;
  DBusMessageIter args, actions;
  dbus_message_iter_init_append(msg.get(), &args);
  const bool ok = dbus_message_iter_append_basic(&args, DBUS_TYPE_STRING, &app_c) &&
                  dbus_message_iter_append_basic(&args, DBUS_TYPE_UINT32, &replaces) &&
                  dbus_message_iter_append_basic(&args, DBUS_TYPE_STRING, &icon) &&
                  dbus_message_iter_append_basic(&args, DBUS_TYPE_STRING, &summary) &&
                  dbus_message_iter_append_basic(&args, DBUS_TYPE_STRING, &body) &&
                  dbus_message_iter_open_container(&args, DBUS_TYPE_ARRAY, "s", &actions) &&
                  dbus_message_iter_close_container(&args, &actions) && append_hints(&args, p.urgency) &&
                  dbus_message_iter_append_basic(&args, DBUS_TYPE_INT32, &expire);
  if (!ok) return oom("building Notify");
  return msg;
}

bool is_unavailable(std::string_view name) {
  return name == DBUS_ERROR_SERVICE_UNKNOWN || name == DBUS_ERROR_NAME_HAS_NO_OWNER ||
         name.rfind("org.freedesktop.DBus.Error.Spawn.", 0) == 0;
}

// Only unix: transports are used: connecting to one is immediate, so the time limit holds.
// Others could block outside it (tcp: resolves host names) or start programs
// (autolaunch:, unixexec:), which an agent has no business doing to show a notification.
Status check_transports(const std::string& address) {
  ScopedError err;
  DBusAddressEntry** entries = nullptr;
  int count = 0;
  if (!dbus_parse_address(address.c_str(), &entries, &count, &err.e)) {
    return make_error("no_session_bus", "the session bus address is not a D-Bus address: " + server_text(err.e.message));
  }
  std::string refused;
  for (int i = 0; i < count && refused.empty(); ++i) {
    const char* method = dbus_address_entry_get_method(entries[i]);
    if (method == nullptr || std::strcmp(method, "unix") != 0) refused = method ? method : "?";
  }
  dbus_address_entries_free(entries);
  if (count == 0) return make_error("no_session_bus", "the session bus address is empty");
  if (!refused.empty()) {
    return make_error("no_session_bus", "the session bus address uses the \"" + server_text(refused.c_str()) +
                                            ":\" transport; only unix: is supported");
  }
  return Unit{};
}

}  // namespace

std::optional<std::string> real_env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

Result<std::string> session_bus_address(const NotifyOptions& options) {
  if (!options.bus_address.empty()) return options.bus_address;
  const EnvLookup& env = options.env ? options.env : EnvLookup(real_env);
  if (auto a = env("DBUS_SESSION_BUS_ADDRESS"); a && !a->empty()) return *a;
  if (auto dir = env("XDG_RUNTIME_DIR"); dir && !dir->empty() && (*dir)[0] == '/') {
    const std::string path = *dir + "/bus";
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) {
      std::unique_ptr<char, decltype(&dbus_free)> escaped(dbus_address_escape_value(path.c_str()), &dbus_free);
      if (!escaped) return oom("escaping the bus address");
      return std::string("unix:path=") + escaped.get();
    }
    return make_error("no_session_bus",
                      "DBUS_SESSION_BUS_ADDRESS is not set and there is no session bus socket at " + path);
  }
  return make_error("no_session_bus", "neither DBUS_SESSION_BUS_ADDRESS nor XDG_RUNTIME_DIR is set");
}

namespace detail {

Result<std::uint32_t> send_notification(const Notification& n, const NotifyOptions& options,
                                        const std::atomic<bool>* cancel) {
  auto prepared = prepare(n, options.limits);
  if (!prepared) return prepared.error();
  auto address = session_bus_address(options);
  if (!address) return address.error();
  const Deadline deadline{Clock::now() + std::chrono::milliseconds(std::max<std::int32_t>(options.timeout_ms, 0))};

  init_threads_once();
  if (auto ok = check_transports(*address); !ok) return ok.error();
  ScopedError err;
  ConnectionPtr conn(dbus_connection_open_private(address->c_str(), &err.e));
  if (!conn) {
    // The address itself is not secret, but keep messages short: name the failure only.
    return make_error("no_session_bus",
                      std::string("cannot connect to the session bus: ") + server_text(err.e.message));
  }
  // A private connection already defaults to this; say it, because libdbus's other default
  // (_exit() when the bus goes away) would take the whole agent down.
  dbus_connection_set_exit_on_disconnect(conn.get(), FALSE);
  dbus_connection_set_max_message_size(conn.get(), kMaxMessageBytes);
  dbus_connection_set_max_received_size(conn.get(), kMaxMessageBytes * 4);

  // Hello by hand instead of dbus_bus_register(), which would block up to 25 s.
  MessagePtr hello(dbus_message_new_method_call(kBusName, kBusPath, kBusName, "Hello"));
  if (!hello) return oom("building Hello");
  auto hello_reply = call(conn.get(), hello.get(), deadline, cancel, "Hello");
  if (!hello_reply) return hello_reply.error();
  if (dbus_message_get_type(hello_reply->get()) == DBUS_MESSAGE_TYPE_ERROR) {
    return make_error("no_session_bus", std::string("the session bus refused Hello: ") +
                                            server_text(dbus_message_get_error_name(hello_reply->get())));
  }

  auto msg = notify_message(*prepared, options.app_name);
  if (!msg) return msg.error();
  auto reply = call(conn.get(), msg->get(), deadline, cancel, "Notify");
  if (!reply) return reply.error();

  if (dbus_message_get_type(reply->get()) == DBUS_MESSAGE_TYPE_ERROR) {
    ScopedError remote;
    dbus_set_error_from_message(&remote.e, reply->get());
    const std::string name = server_text(remote.e.name);
    const std::string text = server_text(remote.e.message);
    if (is_unavailable(name)) {
      return make_error("notifications_unavailable",
                        std::string("no notification server on the session bus (") + name + ": " + text + ")");
    }
    return make_error("notify_failed", "the notification server answered " + name + ": " + text);
  }
  dbus_uint32_t id = 0;
  ScopedError parse;
  if (!dbus_message_get_args(reply->get(), &parse.e, DBUS_TYPE_UINT32, &id, DBUS_TYPE_INVALID)) {
    return make_error("notify_failed", "the notification server's reply to Notify is not an id (signature \"" +
                                           server_text(dbus_message_get_signature(reply->get())) + "\")");
  }
  return static_cast<std::uint32_t>(id);
}

}  // namespace detail

Result<std::uint32_t> send_notification(const Notification& n, const NotifyOptions& options) {
  return detail::send_notification(n, options, nullptr);
}

}  // namespace dealstack::notify
