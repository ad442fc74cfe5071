import adapter from "@sveltejs/adapter-static";

/** @type {import('@sveltejs/kit').Config} */
export default {
  kit: {
    // Static files (prerendered); served at the root by `vite preview` in the tests.
    // BASE_PATH serves it under a path instead.
    adapter: adapter(),
    paths: { base: process.env.BASE_PATH ?? "" },
  },
};
