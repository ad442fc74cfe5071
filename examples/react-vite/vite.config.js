// The one line of configuration the package needs under `vite dev`: Vite pre-bundles
// dependencies into node_modules/.vite, away from their files, so the package's
// `new URL("auth0_account_link_bg.wasm", import.meta.url)` would point at a file that is
// not there (and the dev server answers with index.html). `vite build` needs nothing.
export default {
  optimizeDeps: { exclude: ["auth0-account-link"] },
  // Served by the dev tenant under /react/ after `vite build` (the test does that).
  base: "./",
  esbuild: { jsx: "automatic" },
  build: { outDir: "dist", emptyOutDir: true },
};
