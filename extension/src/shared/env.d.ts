// Compile-time constants esbuild defines (scripts/build_extension.mjs).

/** Which browser this build is for: decides the host's install command and API quirks. */
declare const __BROWSER__: 'chromium' | 'firefox';
