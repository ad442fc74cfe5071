// The callback page's script (run by callback.html, or imported for its effect): it hands
// an authorization response to the widget and exports nothing.
export {};
