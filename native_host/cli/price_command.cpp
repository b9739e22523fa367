#include <ostream>
#include "cli/commands.hpp"
namespace dealstack::cli {
int price_command(const std::vector<std::string>&, Io io) { io.err << "price: not yet built\n"; return 1; }
}
