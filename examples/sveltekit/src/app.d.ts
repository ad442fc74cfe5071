// The element's attributes, properties and events in this app's markup.
import type {} from "auth0-account-link/element/svelte";

export {};
