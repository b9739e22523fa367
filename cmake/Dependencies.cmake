# Third-party libraries. Natively they come from Debian's packages; for WebAssembly the
# header-only ones are staged from /usr/include and gumbo is compiled from the C sources
# shipped in the npm package gumbo-parser@0.3.0 (gumbo 0.10.1, the same as libgumbo-dev).

if(EMSCRIPTEN)
  # Never put /usr/include itself on a wasm include path (it drags in glibc headers):
  # copy just the two header-only libraries into a folder of our own.
  set(_staged ${CMAKE_BINARY_DIR}/staged_include)
  file(COPY /usr/include/nlohmann DESTINATION ${_staged})
  file(COPY /usr/include/doctest DESTINATION ${_staged})

  add_library(nlohmann_json INTERFACE)
  target_include_directories(nlohmann_json SYSTEM INTERFACE ${_staged})
  add_library(nlohmann_json::nlohmann_json ALIAS nlohmann_json)

  add_library(doctest INTERFACE)
  target_include_directories(doctest SYSTEM INTERFACE ${_staged})
  add_library(doctest::doctest ALIAS doctest)

  set(_gumbo_src ${PROJECT_SOURCE_DIR}/node_modules/gumbo-parser/deps/gumbo-parser/src)
  if(NOT EXISTS ${_gumbo_src}/parser.c)
    message(FATAL_ERROR "gumbo sources not found at ${_gumbo_src}: run `npm ci` first")
  endif()
  file(GLOB _gumbo_c ${_gumbo_src}/*.c)
  add_library(gumbo STATIC ${_gumbo_c})
  target_include_directories(gumbo SYSTEM PUBLIC ${_gumbo_src})
  target_compile_options(gumbo PRIVATE -w -O2)
else()
  find_package(nlohmann_json 3.10 REQUIRED)
  find_package(doctest REQUIRED)
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(GUMBO REQUIRED IMPORTED_TARGET gumbo)
  add_library(gumbo INTERFACE)
  target_link_libraries(gumbo INTERFACE PkgConfig::GUMBO)
  # The native program only (native_host/): the store, the HTTP client and its TLS, threads.
  find_package(SQLite3 REQUIRED)
  find_package(OpenSSL 3 REQUIRED)
  find_package(Boost 1.74 REQUIRED)  # header-only parts: Beast, Asio
  find_package(Threads REQUIRED)
  pkg_check_modules(DBUS REQUIRED IMPORTED_TARGET dbus-1)  # desktop notifications
  pkg_check_modules(LIBSECRET REQUIRED IMPORTED_TARGET libsecret-1)  # the vault's OS keyring
endif()
