#!/usr/bin/env node
// Where the wasm's gzip bytes are: each function body (and the data section) is zeroed in
// turn and the file gzipped again; the drop is that part's share of the gzip size (zeros
// compress to almost nothing, so this measures what the part costs in the compressed file,
// its redundancy with the rest included). `twiggy` gives raw bytes; this gives what a page
// downloads. Shares overlap a little (compression is not additive): their sum is close to,
// not equal to, the total.
//
// Builds the package (scripts/build-package, its own steps and passes) into a temporary
// folder with the function names kept (WASM_KEEP_NAMES=1), reads them, and measures a copy
// without the custom sections (within about 0.1 KiB of gzip of the package's wasm: `-g`
// changes a few of binaryen's rewrites).
//
// Usage: node scripts/size-share.mjs [--top N] [--match REGEX]…
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const args = process.argv.slice(2);
const topIndex = args.indexOf("--top");
const top = topIndex >= 0 ? Number(args[topIndex + 1]) : 25;
// --match RE (repeatable): the share of every function whose name matches RE.
const matches = args.flatMap((a, i) => (args[i - 1] === "--match" ? [new RegExp(a)] : []));
const root = new URL("..", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "size-share-"));

try {
  execFileSync(join(root, "scripts/build-package"), {
    env: { ...process.env, PKG_OUT: dir, WASM_KEEP_NAMES: "1" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const named = readFileSync(join(dir, "auth0_account_link_bg.wasm"));
  report(withoutCustomSections(named), functionNames(named));
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function report(wasm, names) {
  const { sections, imports, bodies } = parse(wasm);
  const base = gz(wasm);
  const share = (ranges) => {
    const copy = Buffer.from(wasm);
    for (const [start, size] of ranges) copy.fill(0, start, start + size);
    return base - gz(copy);
  };
  const kib = (n) => (n / 1024).toFixed(1);
  const nameOf = (i) => names.get(i + imports) ?? `function ${i + imports}`;

  // A function belongs to the first crate its name mentions (`<a::T as b::Trait>::f` is
  // a's; `drop_in_place<yew::…>` is yew's).
  const groups = [
    ["the widget's shell (`src/`)", /auth0_account_link::/],
    ["the protocol core (`crates/core`)", /auth0_account_link_core::/],
    ["Yew (framework; the widget's views are its `CompStateInner<COMP>::view` monomorphs)", /\byew::|implicit_clone/],
    ["serde (derives and the JS-value deserializer's generic parts)", /serde/],
    ["gloo, wasm-bindgen, js-sys, web-sys", /gloo|wasm_bindgen|js_sys|web_sys/],
    ["futures", /futures/],
    ["allocator and collections (dlmalloc, alloc, hashbrown, indexmap, slab)", /dlmalloc|\balloc::|hashbrown|indexmap|slab/],
    ["core::fmt and other core/std", /\bcore::|\bstd::|\bcore\[/],
  ];
  const byGroup = new Map(groups.map(([label]) => [label, []]));
  const other = [];
  bodies.forEach((body, i) => {
    const name = nameOf(i).replace(/^core::ptr::drop_in_place</, "");
    let best = null;
    for (const [label, re] of groups) {
      const m = re.exec(name);
      if (m && (best === null || m.index < best.index)) best = { label, index: m.index };
    }
    (best ? byGroup.get(best.label) : other).push(body);
  });

  const rows = [];
  const codeSection = sections.find((s) => s.id === 10);
  const dataSection = sections.find((s) => s.id === 11);
  for (const [label] of groups) {
    const list = byGroup.get(label);
    rows.push([label, list.length, list.reduce((n, [, size]) => n + size, 0), share(list)]);
  }
  rows.push(["other functions (compiler builtins, shims)", other.length, other.reduce((n, [, size]) => n + size, 0), share(other)]);
  rows.push(["data section (strings, tables, panic locations)", "", dataSection.size, share([[dataSection.start, dataSection.size]])]);
  const rest = sections.filter((s) => s !== codeSection && s !== dataSection);
  rows.push(["the other sections (types, imports, exports, element tables)", "", rest.reduce((n, s) => n + s.size, 0), share(rest.map((s) => [s.start, s.size]))]);

  console.log(`wasm: ${wasm.length} bytes raw, ${base} bytes gzip -9 (${kib(base)} KiB); ${bodies.length} functions\n`);
  console.log("| part | functions | raw | gzip share |");
  console.log("|---|---:|---:|---:|");
  for (const [label, count, raw, gzip] of rows) console.log(`| ${label} | ${count} | ${kib(raw)} KiB | ${kib(gzip)} KiB |`);

  for (const re of matches) {
    const list = bodies.filter((_, i) => re.test(nameOf(i)));
    console.log(`\n${re}: ${list.length} functions, ${kib(list.reduce((n, [, size]) => n + size, 0))} KiB raw, ${kib(share(list))} KiB gzip share`);
  }

  const largest = bodies
    .map((body, i) => ({ body, name: nameOf(i) }))
    .sort((a, b) => b.body[1] - a.body[1])
    .slice(0, top);
  console.log(`\n| the ${top} largest functions | raw | gzip share |`);
  console.log("|---|---:|---:|");
  for (const { body, name } of largest) {
    const shown = name.replace(/::h[0-9a-f]{16}$/, "").replace(/\[[0-9a-f]{16}\]/g, "");
    console.log(`| \`${shown.length > 110 ? `${shown.slice(0, 107)}…` : shown}\` | ${kib(body[1])} KiB | ${kib(share([body]))} KiB |`);
  }
}

function gz(bytes) {
  return gzipSync(bytes, { level: 9 }).length;
}

function leb(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (byte < 0x80) return [value, at];
  }
}

/** The sections, the number of imported functions and each function body's [start, size]. */
function parse(wasm) {
  const sections = [];
  for (let at = 8; at < wasm.length; ) {
    const id = wasm[at];
    const [size, start] = leb(wasm, at + 1);
    sections.push({ id, start, size });
    at = start + size;
  }
  let imports = 0;
  const importSection = sections.find((s) => s.id === 2);
  if (importSection) {
    let [count, at] = leb(wasm, importSection.start);
    for (let k = 0; k < count; k++) {
      for (let part = 0; part < 2; part++) {
        const [length, next] = leb(wasm, at);
        at = next + length;
      }
      const kind = wasm[at++];
      if (kind === 0) {
        imports++;
        [, at] = leb(wasm, at);
      } else if (kind === 1 || kind === 2) {
        if (kind === 1) at++;
        let flags;
        [flags, at] = leb(wasm, at);
        [, at] = leb(wasm, at);
        if (flags & 1) [, at] = leb(wasm, at);
      } else if (kind === 3) {
        at += 2;
      } else {
        at++;
        [, at] = leb(wasm, at);
      }
    }
  }
  const bodies = [];
  const code = sections.find((s) => s.id === 10);
  let [count, at] = leb(wasm, code.start);
  for (let k = 0; k < count; k++) {
    const [size, start] = leb(wasm, at);
    bodies.push([start, size]);
    at = start + size;
  }
  return { sections, imports, bodies };
}

/** The module without its custom sections (names, producers): what the package ships. */
function withoutCustomSections(wasm) {
  const kept = [wasm.subarray(0, 8)];
  for (let at = 8; at < wasm.length; ) {
    const [size, start] = leb(wasm, at + 1);
    if (wasm[at] !== 0) kept.push(wasm.subarray(at, start + size));
    at = start + size;
  }
  return Buffer.concat(kept);
}

/** Function index → name, from the custom "name" section. */
function functionNames(wasm) {
  const names = new Map();
  for (const section of parse(wasm).sections.filter((s) => s.id === 0)) {
    let [length, at] = leb(wasm, section.start);
    if (wasm.toString("utf8", at, at + length) !== "name") continue;
    at += length;
    const end = section.start + section.size;
    while (at < end) {
      const kind = wasm[at];
      const [size, start] = leb(wasm, at + 1);
      if (kind === 1) {
        let [count, p] = leb(wasm, start);
        for (let k = 0; k < count; k++) {
          let index;
          [index, p] = leb(wasm, p);
          const [nameLength, q] = leb(wasm, p);
          names.set(index, wasm.toString("utf8", q, q + nameLength));
          p = q + nameLength;
        }
      }
      at = start + size;
    }
  }
  return names;
}
