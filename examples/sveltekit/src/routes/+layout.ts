// Prerendered: the build renders the page on the server, which imports the package there
// (it must load nothing and touch no DOM outside a browser).
export const prerender = true;
export const trailingSlash = "always";
