#!/usr/bin/env node
// Shortens the names that tie the wasm to its wasm-bindgen glue. wasm-bindgen names every
// import `__wbg_<method>_<16 hex digits>` and every export after its Rust item; those
// names are stored in both files and the hex does not compress. binaryen's
// --minify-imports-and-exports-and-modules renames them (a, b, … Fc) and prints the
// mapping; this script applies it to the glue. Measured on the package: 6.1 KB gzip
// smaller (wasm 3.4 KB, glue 2.7 KB).
//
// usage: node scripts/minify-wasm-names.mjs <dir> [name]: <dir>/<name>_bg.wasm and its glue
// <dir>/<name>.js (name: auth0_account_link, the widget's build, by default)
// Fails (and leaves the files as they were) unless every import is defined exactly once in
// the glue, every export the glue uses is renamed, and the result imports exactly what the
// glue provides.

import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync, renameSync } from "node:fs";
import path from "node:path";

const dir = process.argv[2];
if (!dir) throw new Error("usage: minify-wasm-names.mjs <package dir>");
const name = process.argv[3] ?? "auth0_account_link";
const wasmPath = path.join(dir, `${name}_bg.wasm`);
const jsPath = path.join(dir, `${name}.js`);
const minifiedPath = `${wasmPath}.min`;

const FEATURES = [
  "--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext",
  "--enable-mutable-globals", "--enable-reference-types", "--enable-multivalue",
];
// -g: the function names stay for the next step (build-package orders the functions by
// name, then strips the names).
const printed = execFileSync("wasm-opt", [...FEATURES, "-g", "--minify-imports-and-exports-and-modules", "-o", minifiedPath, wasmPath], { encoding: "utf8" });
const map = JSON.parse(printed.slice(printed.indexOf("{")));

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
let js = readFileSync(jsPath, "utf8");

// Imports of a JS snippet (`#[wasm_bindgen(module = "/js/…")]`) that need no shim come
// straight from the snippet's namespace (`import * as import1 …`, `"<module>": import1`).
const namespaces = new Set([...js.matchAll(/import \* as (import\d+) from/g)].map((m) => m[1]));
const namespaceOf = (module) => {
  const found = js.match(new RegExp(`${escape(JSON.stringify(module))}\\s*:\\s*(import\\d+)\\s*,`));
  return found && namespaces.has(found[1]) ? found[1] : null;
};
const direct = new Map();
for (const [module, name, short] of map.imports) {
  const namespace = namespaceOf(module);
  if (!namespace) continue;
  if (!direct.has(module)) direct.set(module, { namespace, names: [] });
  direct.get(module).names.push([name, short]);
}
// binaryen gives every import one module name, so the snippet's functions join the glue's
// own import object (`const import0 = { __proto__: null, …`).
const main = js.match(/const (import\d+) = \{\s*__proto__: null,/);
if (direct.size && !main) throw new Error("the glue's own import object is not where expected");
for (const [module, { namespace, names }] of direct) {
  const entry = new RegExp(`\\s*${escape(JSON.stringify(module))}\\s*:\\s*${namespace}\\s*,?`);
  if (!entry.test(js)) throw new Error(`import module ${module}: its entry is not in the glue`);
  js = js.replace(entry, "");
  const fields = names.map(([name, short]) => `${JSON.stringify(short)}: ${namespace}.${name},`).join(" ");
  js = js.replace(main[0], `${main[0]} ${fields}`);
}

// Imports: each is one `name: function…` entry of the glue's import object.
for (const [module, name, short] of map.imports) {
  if (direct.has(module)) continue;
  const entry = new RegExp(`(^|[\\s{,])${escape(name)}:`, "gm");
  const found = js.match(entry)?.length ?? 0;
  if (found !== 1) throw new Error(`import ${name}: defined ${found} times in the glue`);
  js = js.replace(entry, (_, before) => `${before}${JSON.stringify(short)}:`);
}

// The import modules: read the new names from the minified module itself.
const minified = new WebAssembly.Module(readFileSync(minifiedPath));
const imports = WebAssembly.Module.imports(minified);
const moduleOf = new Map();
map.imports.forEach(([module, , short]) => {
  const renamed = imports.find((i) => i.name === short);
  if (!renamed) throw new Error(`import ${short} is missing from the minified wasm`);
  moduleOf.set(module, renamed.module);
});
for (const [module, short] of moduleOf) {
  if (direct.has(module)) continue;
  const key = new RegExp(`${escape(JSON.stringify(module))}\\s*:`, "g");
  if (!key.test(js)) throw new Error(`import module ${module} is not in the glue`);
  js = js.replace(key, `${JSON.stringify(short)}:`);
}

// Exports: the glue reaches them as `wasm.<name>`.
for (const [name, short] of map.exports) {
  js = js.replace(new RegExp(`\\bwasm\\.${escape(name)}\\b`, "g"), `wasm[${JSON.stringify(short)}]`);
}
const left = js.match(/\bwasm\.[A-Za-z_$][\w$]*/g);
if (left) throw new Error(`the glue still uses export names: ${[...new Set(left)].join(", ")}`);
const stale = js.match(/\b__wbg_\w+_[0-9a-f]{16}\b/g);
if (stale) throw new Error(`the glue still names imports: ${[...new Set(stale)].slice(0, 5).join(", ")}`);
for (const { module, name } of imports) {
  if (!js.includes(`${JSON.stringify(name)}:`)) throw new Error(`the glue does not provide ${module}.${name}`);
}

writeFileSync(jsPath, js);
renameSync(minifiedPath, wasmPath);
console.log(`minify-wasm-names: ${map.imports.length} imports, ${map.exports.length} exports renamed`);
