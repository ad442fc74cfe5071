// The package's store as a React hook: one store per mounted component (destroyed with it:
// its window closes, its requests are aborted), read with useSyncExternalStore. Under
// StrictMode's mount–unmount–mount the first store is destroyed before it starts, so the
// identities are read once.
import { useEffect, useState, useSyncExternalStore } from "react";
import { createAccountLink } from "auth0-account-link/headless";

const noStore = { subscribe: () => () => {}, getSnapshot: () => null };

export function useAccountLink(options) {
  const [store, setStore] = useState(null);
  useEffect(() => {
    const created = createAccountLink(options);
    setStore(created);
    return () => created.destroy();
    // A new session only for another tenant or application.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [options.domain, options.clientId]);
  const source = store ?? noStore;
  const snapshot = useSyncExternalStore(source.subscribe, source.getSnapshot);
  return [snapshot, store];
}
