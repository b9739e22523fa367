// Resolving a page's relative links against its URL (RFC 3986, section 5.2).
#pragma once

#include <string>
#include <string_view>

namespace dealstack {

// `ref` resolved against `base`. An absolute `ref` is returned as is; a protocol-relative
// one ("//cdn.example/x.jpg") takes base's scheme. Only absolute http(s) results are
// returned: "javascript:", "data:" and the like, and a relative `ref` with no usable http(s)
// base, give "".
std::string resolve_url(std::string_view base, std::string_view ref);

}  // namespace dealstack
