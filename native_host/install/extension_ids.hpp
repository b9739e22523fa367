// The extension ids the host manifests allow when `dealstack install` is given no
// --extension-id. The one place these defaults live.
#pragma once

#include <string_view>

namespace dealstack::install {

// The development build's Chromium id: 32 letters a-p, derived by Chromium from the
// public key in the extension's manifest ("key"). It must match that key: change both
// together, or Chromium will refuse to start the host for the extension ("Access to the
// specified native messaging host is forbidden").
inline constexpr std::string_view kDevChromiumExtensionId = "noomoddoojahlajgdommlkgnpjnondje";

// The Firefox id: browser_specific_settings.gecko.id in the extension's manifest. It must
// match that field, or Firefox will not start the host for the extension.
inline constexpr std::string_view kFirefoxExtensionId = "dealstack@dealstack.dev";

}  // namespace dealstack::install
