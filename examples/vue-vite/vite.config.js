import vue from "@vitejs/plugin-vue";

export default {
  plugins: [
    vue({
      // <auth0-account-link> is a custom element, not a Vue component.
      template: { compilerOptions: { isCustomElement: (tag) => tag === "auth0-account-link" } },
    }),
  ],
  // Vite 7 pre-bundles dependencies away from their files under `vite dev`; the package
  // finds its .wasm next to its own module, so it is left out of the pre-bundle.
  optimizeDeps: { exclude: ["auth0-account-link"] },
  // Served by the dev tenant under /vue/ after `vite build` (the tests do that).
  base: "./",
  build: { outDir: "dist", emptyOutDir: true },
};
