// hello: the protocol and program versions, so the extension can tell what it talks to.
#include <unistd.h>

#include "actions/actions.hpp"
#include "protocol/wire.hpp"

namespace dealstack::actions {

void add_hello(protocol::Dispatcher& d, Services&) {
  d.add(protocol::method::hello, [](const protocol::Json&) -> Result<protocol::Json> {
    return protocol::Json{{"protocol", protocol::kProtocolVersion},
                          {"program", "dealstack"},
                          {"version", DEALSTACK_VERSION},
                          {"agent_pid", static_cast<long long>(::getpid())}};
  });
}

}  // namespace dealstack::actions
