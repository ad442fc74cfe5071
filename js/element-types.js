// The runtime side of the type-only entries `auth0-account-link/element/react`, `/vue` and
// `/svelte` (their declarations are in element-*.d.ts): nothing.
export {};
