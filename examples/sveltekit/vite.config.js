import { sveltekit } from "@sveltejs/kit/vite";

export default {
  plugins: [sveltekit()],
  // Vite 7 pre-bundles dependencies away from their files under `vite dev`; the package
  // finds its .wasm next to its own module, so it is left out of the pre-bundle.
  optimizeDeps: { exclude: ["auth0-account-link"] },
};
