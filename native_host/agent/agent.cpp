#include "agent/agent.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <deque>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <set>
#include <string>

#include "actions/actions.hpp"
#include "actions/offers_feed.hpp"
#include "actions/records_json.hpp"
#include "agent/config.hpp"
#include "agent/monitor_loop.hpp"
#include "http/url.hpp"
#include "install/allow_list.hpp"
#include "notify/notifier.hpp"
#include "store/store.hpp"
#include "messaging/frame.hpp"
#include "protocol/message.hpp"
#include "protocol/wire.hpp"
#include "sync/feeds.hpp"
#include "sync/service.hpp"
#include "vault/keyring.hpp"
#include "vault/shop_session.hpp"
#include "vault/vault.hpp"

namespace dealstack::agent {

namespace asio = boost::asio;
using Socket = asio::local::stream_protocol::socket;

namespace {

class Server;

// One client (a host or the CLI): frames in, replies and events out, in order.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(Socket socket, Server& server, std::size_t max_frame, bool browser)
      : socket_(std::move(socket)),
        server_(server),
        decoder_(messaging::ByteOrder::big, max_frame),
        browser_(browser) {}
  bool browser() const { return browser_; }
  void start() { read(); }
  void send(const std::string& payload);
  void close() {
    boost::system::error_code ec;
    socket_.close(ec);
  }

 private:
  void read();
  void write_next();
  void close_when_done() {
    close_when_done_ = true;
    if (!writing_) write_next();
  }

  Socket socket_;
  Server& server_;
  messaging::FrameDecoder decoder_;
  std::array<char, 16384> buf_{};
  std::deque<std::string> out_;
  bool writing_ = false;
  bool close_when_done_ = false;
  bool browser_ = false;  // a native-messaging host: an extension is listening
};

// Whether the peer is a native-messaging host (a browser's extension sees our events) rather
// than the CLI: its arguments, as the kernel keeps them, are those a browser passes.
bool peer_is_browser_host(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  if (!in) return false;
  std::string all;
  all.reserve(4096);
  std::istreambuf_iterator<char> it(in), end;
  for (; it != end && all.size() < 64 * 1024; ++it) all.push_back(*it);
  std::vector<std::string> args;
  std::size_t start = 0;
  for (std::size_t i = 0; i < all.size(); ++i)
    if (all[i] == '\0') {
      args.push_back(all.substr(start, i - start));
      start = i + 1;
    }
  if (args.empty()) return false;
  args.erase(args.begin());  // the program
  return !install::caller_from_args(args).empty();
}

// A desktop notification for an alert: the product (or shop) as the summary, the alert's
// words as the body, the page as the link.
notify::Notification notification_for(const store::Alert& alert, const store::Watch& watch) {
  notify::Notification n;
  std::string what = watch.title.value_or("");
  if (what.empty()) {
    auto url = http::parse_url(watch.url);
    what = url ? url->host : watch.url;
  }
  n.summary = (alert.kind == "restock" ? "Back in stock: " : alert.kind == "cant_tell" ? "Can't read: " : "Price alert: ") + what;
  n.body = alert.message;
  n.url = watch.url;
  n.urgency = alert.kind == "cant_tell" ? notify::Urgency::low : notify::Urgency::normal;
  return n;
}

// The monitor's credentials for `host`: the vault's "shop/<host>" entry (or, for
// www.<host>, "shop/<host>"), when there is one and the vault can be read. A locked vault
// or a damaged entry means no member prices, never a failed check.
http::HostCredentials shop_credentials(vault::Vault& v, const std::string& host) {
  http::HostCredentials out;
  if (!v.initialized()) return out;
  std::vector<std::string> ids{vault::shop_entry_id(host)};
  if (host.rfind("www.", 0) == 0) ids.push_back(vault::shop_entry_id(host.substr(4)));
  for (const auto& id : ids) {
    auto secret = v.get(id);
    if (!secret) {
      if (secret.error().code == "not_found") continue;
      return out;
    }
    auto session = vault::parse_shop_session(*secret);
    if (!session) return out;
    // HostCredentials is the HTTP client's plain map: these copies are not wiped.
    for (auto& [name, value] : session->cookies) out.cookies[name] = value;
    for (auto& [name, value] : session->headers) out.headers[name] = value;
    return out;
  }
  return out;
}

// Every 30 s: drop the vault's key once it has been idle for the configured time.
void watch_vault_idle(asio::steady_timer& timer, vault::Vault& v) {
  timer.expires_after(std::chrono::seconds(30));
  timer.async_wait([&timer, &v](const boost::system::error_code& ec) {
    if (ec) return;
    v.lock_if_idle();
    watch_vault_idle(timer, v);
  });
}

class Server {
 public:
  Server(asio::io_context& io, const platform::Paths& paths, const AgentOptions& options,
         store::Store& store, const AgentConfig& config, vault::Vault& vault)
      : io_(io),
        acceptor_(io),
        signals_(io, SIGTERM, SIGINT),
        options_(options),
        paths_(paths),
        monitor_(io, store, config.monitor, monitor_hooks()) {
    if (config.desktop_notifications) notifier_ = std::make_unique<notify::Notifier>();
    services_.store = &store;
    services_.vault = &vault;
    services_.publish = [this](const char* name, const protocol::Json& data) { publish(name, data); };
    services_.watch_changed = [this](const store::Watch& w) { (void)monitor_.watch_changed(w); };
    services_.watch_removed = [this](std::int64_t id) { monitor_.watch_removed(id); };
    services_.check_now = [this](std::int64_t id, std::function<void(Result<monitor::CheckDone>)> done) {
      monitor_.check_now(id, std::move(done));
    };
    sync_ = std::make_unique<sync::Service>(io, store, vault, sync_options(config), sync_hooks(io, store, config));
    services_.sync = sync_.get();
    services_.vault_unlocked = [this] { sync_->vault_unlocked(); };
    actions::add_all(dispatcher_, services_);
  }

  Status start_monitor() { return monitor_.start(); }
  void start_sync() { sync_->start(); }
  sync::Service& sync_service() { return *sync_; }
  // After each request: a local write left rows in the sync outbox -> a round soon.
  void after_request() { sync_->changed_if_pending(); }

  void publish(const char* name, const protocol::Json& data) {
    const std::string text = protocol::event_text(name, data);
    for (auto& c : connections_) c->send(text);
  }

  Status listen() {
    const std::string path = paths_.socket().string();
    ::unlink(path.c_str());  // a stale socket of a dead agent (we hold the lock)
    boost::system::error_code ec;
    acceptor_.open(asio::local::stream_protocol(), ec);
    const mode_t old = ::umask(077);
    if (!ec) acceptor_.bind(asio::local::stream_protocol::endpoint(path), ec);
    ::umask(old);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return make_error("io_error", "can't listen on " + path + ": " + ec.message());
    accept();
    signals_.async_wait([this](const boost::system::error_code&, int) { stop(); });
    return Unit{};
  }

  void stop() {
    sync_->stop();
    monitor_.stop();
    if (notifier_) notifier_->stop();
    boost::system::error_code ec;
    acceptor_.close(ec);
    ::unlink(paths_.socket().c_str());
    for (auto& c : connections_) c->close();
    connections_.clear();
    io_.stop();
  }

  const protocol::Dispatcher& dispatcher() const { return dispatcher_; }
  std::size_t connection_count() const { return connections_.size(); }
  void drop(const std::shared_ptr<Connection>& c) { connections_.erase(c); }

 private:
  void accept() {
    acceptor_.async_accept([this](const boost::system::error_code& ec, Socket socket) {
      if (ec) {
        if (ec != asio::error::operation_aborted) accept();
        return;
      }
      // Only this user's processes may talk to the agent (the folder is 0700 too).
      ucred cred{};
      socklen_t len = sizeof cred;
      const bool same_user =
          ::getsockopt(socket.native_handle(), SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 &&
          cred.uid == ::getuid();
      if (same_user && connections_.size() < options_.max_connections) {
        auto c = std::make_shared<Connection>(std::move(socket), *this, options_.max_frame,
                                              peer_is_browser_host(cred.pid));
        connections_.insert(c);
        c->start();
      }
      accept();
    });
  }

  static sync::ServiceOptions sync_options(const AgentConfig& config) {
    sync::ServiceOptions o;
    o.server = config.sync.server;
    o.interval_ms = config.sync.interval_ms;
    o.client.ca_file = config.sync.ca_file;
    return o;
  }

  sync::Service::Hooks sync_hooks(asio::io_context& io, store::Store& store, const AgentConfig& config) {
    sync::Service::Hooks h;
    h.publish = [this](const protocol::Json& status) { publish(protocol::event::sync_updated, status); };
    // Records pulled from the server: the monitor schedules (or drops) the watches, clients
    // hear of them as of any other change.
    h.applied = [this](const std::vector<sync::Applied>& changes) {
      for (const auto& c : changes) {
        if (c.watch_changed) {
          (void)monitor_.watch_changed(*c.watch_changed);
          publish(protocol::event::watch_updated, {{"watch", actions::to_json(*c.watch_changed)}});
        }
        if (c.watch_removed) {
          monitor_.watch_removed(*c.watch_removed);
          publish(protocol::event::watch_updated, {{"removed", *c.watch_removed}});
        }
      }
    };
    // The feeds after each round: the offers feed, then the signed rule packs. A failure of
    // either is not the round's (they are tried again next round).
    sync::ServiceOptions so = sync_options(config);
    h.after_round = [this, &io, &store, client = so.client, keys = config.sync.rule_keys](
                        const std::string& server, std::function<void()> done) {
      auto names = std::make_shared<protocol::Json>(protocol::Json::array());
      sync::FeedReader reader = [names](std::string_view text) -> Result<std::vector<store::RetailerOffers>> {
        auto j = actions::parse_feed_text(text);
        if (!j) return j.error();
        auto feed = actions::read_feed(*j);
        if (!feed) return feed.error();
        for (const auto& r : feed->retailers) names->push_back(r.retailer);
        return std::move(feed->retailers);
      };
      sync::async_pull_offers(io, client, server, store, reader,
                              [this, &io, &store, client, keys, server, done, names](Result<sync::OffersPulled> offers) {
        // Failed pulls are tried again next round; say why on stderr (the journal under
        // systemd), where an operator looks. The messages name URLs and codes, never secrets.
        if (!offers) {
          std::cerr << "dealstack agent: sync: the offers feed was not updated: " << offers.error().message << " ("
                    << offers.error().code << ")\n";
        }
        if (offers && offers->changed) {
          auto at = store.offers_imported_at();
          publish(protocol::event::offers_updated,
                  {{"imported_at", at && *at ? protocol::Json(**at) : protocol::Json(nullptr)}, {"retailers", *names}});
        }
        if (keys.empty()) return done();  // no trusted signer: no pack could be used
        sync::async_pull_rules(io, client, server, store, keys, [done](Result<sync::RulesPulled> rules) {
          if (!rules) {
            std::cerr << "dealstack agent: sync: rule packs were not updated: " << rules.error().message << " ("
                      << rules.error().code << ")\n";
          } else {
            for (const auto& r : rules->refused) {
              std::cerr << "dealstack agent: sync: the rule pack for " << r.retailer
                        << " was refused, the previous one stays in use: " << r.message << " (" << r.code << ")\n";
            }
          }
          done();
        });
      });
    };
    return h;
  }

  MonitorHooks monitor_hooks() {
    MonitorHooks h;
    h.checked = [this](const monitor::CheckDone& done) {
      publish(protocol::event::watch_updated, {{"watch", actions::to_json(done.watch)}});
    };
    h.alert = [this](const store::Alert& alert, const store::Watch& watch) {
      publish(protocol::event::alert, actions::to_json(alert));
      // The extension shows alerts itself; with no browser listening, the desktop does.
      const bool browser_listening = std::any_of(connections_.begin(), connections_.end(),
                                                 [](const auto& c) { return c->browser(); });
      if (!browser_listening && notifier_) notifier_->post(notification_for(alert, watch));
    };
    return h;
  }

  asio::io_context& io_;
  asio::local::stream_protocol::acceptor acceptor_;
  asio::signal_set signals_;
  AgentOptions options_;
  platform::Paths paths_;
  protocol::Dispatcher dispatcher_;
  actions::Services services_;
  std::set<std::shared_ptr<Connection>> connections_;
  std::unique_ptr<notify::Notifier> notifier_;  // none when desktop notifications are off
  MonitorLoop monitor_;  // its callbacks use the members above
  std::unique_ptr<sync::Service> sync_;  // last: its callbacks use the monitor
};

void Connection::read() {
  auto self = shared_from_this();
  socket_.async_read_some(asio::buffer(buf_), [this, self](const boost::system::error_code& ec, std::size_t n) {
    if (ec) {
      server_.drop(self);
      return;
    }
    auto fed = decoder_.feed(std::string_view(buf_.data(), n));
    while (decoder_.has_frame()) {
      // A reply may come later (watch.check waits for the shop); by then this client may
      // have gone, and the reply goes nowhere.
      std::weak_ptr<Connection> weak = self;
      server_.dispatcher().dispatch(decoder_.pop(), [weak](std::string reply) {
        if (auto c = weak.lock()) c->send(reply);
      });
      server_.after_request();
    }
    if (!fed) {
      // Out of step: say why, then hang up once the reply is out.
      send(protocol::error_text(nullptr, fed.error()));
      close_when_done();
      return;
    }
    read();
  });
}

void Connection::send(const std::string& payload) {
  auto frame = messaging::encode_frame(payload, messaging::ByteOrder::big, 0xffffffffu);
  if (!frame) return;  // over 4 GiB: can't happen for our replies
  out_.push_back(std::move(*frame));
  if (!writing_) write_next();
}

void Connection::write_next() {
  if (out_.empty()) {
    writing_ = false;
    if (close_when_done_) {
      close();
      server_.drop(shared_from_this());
    }
    return;
  }
  writing_ = true;
  auto self = shared_from_this();
  asio::async_write(socket_, asio::buffer(out_.front()), [this, self](const boost::system::error_code& ec, std::size_t) {
    out_.pop_front();
    if (ec) {
      writing_ = false;
      out_.clear();
      close();
      server_.drop(self);
      return;
    }
    write_next();
  });
}

// Holds the per-user lock for the agent's lifetime: flock on runtime/agent.lock (released by
// the kernel when the process dies, so a crashed agent never blocks the next one).
Result<int> take_lock(const platform::Paths& paths) {
  const std::string path = paths.lock().string();
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return make_error("io_error", "can't open " + path + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return make_error("agent_running", "another dealstack agent is already running for this user");
  }
  // The holder's pid, for people (doctor, ps); the lock itself is what counts.
  if (::ftruncate(fd, 0) == 0) {
    const std::string pid = std::to_string(::getpid()) + "\n";
    (void)!::write(fd, pid.data(), pid.size());
  }
  return fd;
}

}  // namespace

Status run_agent(const platform::Paths& paths, const AgentOptions& options) {
  ::signal(SIGPIPE, SIG_IGN);
  if (auto ok = platform::ensure_private_dir(paths.runtime); !ok) return ok.error();
  auto lock = take_lock(paths);
  if (!lock) return lock.error();
  // The database, opened (and migrated) only once we know we are the one agent.
  if (auto ok = platform::ensure_private_dir(paths.data); !ok) {
    ::close(*lock);
    return ok.error();
  }
  auto config = load_agent_config(paths.config / "agent.json");
  if (!config) {
    ::close(*lock);
    return config.error();
  }
  auto store = store::Store::open(paths.database());
  if (!store) {
    ::close(*lock);
    return store.error();
  }
  AgentOptions effective = options;
  if (config->max_frame) effective.max_frame = *config->max_frame;
  // The vault shares the store's connection (one thread: the event loop).
  auto keyring = vault::make_secret_service_keyring();
  vault::VaultOptions vault_options;
  vault_options.keyring = keyring.get();
  vault_options.auto_lock_ms = config->vault_auto_lock_minutes * 60'000;
  auto secrets = vault::Vault::open(store->database(), vault_options);
  if (!secrets) {
    ::close(*lock);
    return secrets.error();
  }
  vault::Vault& vault = **secrets;
  config->monitor.client.credentials = [&vault](const std::string& host) { return shop_credentials(vault, host); };
  asio::io_context io;
  Server server(io, paths, effective, *store, *config, vault);
  if (auto ok = server.listen(); !ok) {
    ::close(*lock);
    return ok.error();
  }
  // A keyring vault unlocks itself, once the socket answers (the keyring may be slow).
  asio::post(io, [&vault, &server] {
    if (vault.protection() == vault::Protection::keyring && vault.unlock(crypto::SecretBytes()))
      server.sync_service().vault_unlocked();
  });
  asio::steady_timer vault_idle(io);
  watch_vault_idle(vault_idle, vault);
  if (auto ok = server.start_monitor(); !ok) {
    server.stop();
    ::close(*lock);
    return ok.error();
  }
  server.start_sync();
  io.run();
  ::close(*lock);
  return Unit{};
}

}  // namespace dealstack::agent
