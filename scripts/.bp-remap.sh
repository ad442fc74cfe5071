#!/usr/bin/env bash
# Builds the npm package directory (ES module without bare imports, .wasm, package.json,
# .d.ts, element, callback page, CSS) into $PKG_OUT (default www/pkg), where the demo and
# the tests load it from. Needs: wasm32 target, wasm-bindgen (same version as the crate),
# wasm-opt from npm's binaryen, terser from npm (scripts/setup installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${PKG_OUT:-www/pkg}
profile=${PKG_PROFILE:-release}
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

cargo build --lib -p auth0-account-link --target wasm32-unknown-unknown --locked --profile "$profile"
rm -rf "$out" && mkdir -p "$out"
wasm-bindgen --target web --no-typescript --out-dir "$out" \
  "${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/$profile/auth0_account_link.wasm"
# Short names between the wasm and its glue (see the script: 6.1 KB gzip).
node scripts/minify-wasm-names.mjs "$out"
# --low-memory-unused: Rust puts the stack first, so the lowest KiB is never data
# (0.7 KB gzip smaller).
wasm-opt -Oz --converge --low-memory-unused --strip-debug --strip-producers \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  -o "$out/auth0_account_link_bg.wasm" "$out/auth0_account_link_bg.wasm"
# The generated glue is minified (as any shipped bundle is); the hand-written files stay
# readable.
terser "$out/auth0_account_link.js" --module --compress --mangle --comments false \
  -o "$out/auth0_account_link.js"
cp js/index.js js/index.d.ts js/element.js js/element.d.ts js/callback.js js/callback.html js/popup.js \
   js/locales.js js/events.js js/auth0-account-link.css js/package.json "$out/"
cp -r js/locales "$out/locales"
cp js/README.md "$out/README.md"
cp CHANGELOG.md LICENSE-MIT LICENSE-APACHE "$out/"
# The package's version is the crate's.
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)
node -e '
  const fs = require("fs");
  const file = process.argv[1];
  const pkg = JSON.parse(fs.readFileSync(file, "utf8"));
  pkg.version = process.argv[2];
  fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + "\n");
' "$out/package.json" "$version"
if grep -Eq "from ['\"][^./]" "$out"/*.js "$out"/locales/*.js; then
  echo "build-package: a bare import slipped into the package" >&2
  exit 1
fi
echo "build-package: $out"
ls -l "$out"
