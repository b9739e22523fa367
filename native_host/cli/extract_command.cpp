#include <ostream>
#include "cli/commands.hpp"
namespace dealstack::cli {
int extract_command(const std::vector<std::string>&, Io io) { io.err << "extract: not yet built\n"; return 1; }
}
