// Starts the Yew demo (Trunk's own loader is an inline script, which the page's CSP refuses).
import init from "./yew-demo.js";

await init({ module_or_path: new URL("./yew-demo_bg.wasm", import.meta.url) });
