// A small React wrapper around the package's mount(): mounted once, handed every new
// options object with handle.update() (a re-render never remounts it, so a popup in flight
// survives), unmounted with the component.
import { useEffect, useRef } from "react";
import { mount } from "auth0-account-link";

export function AccountLink({ options }) {
  const host = useRef(null);
  const handle = useRef(null);
  const latest = useRef(options);
  latest.current = options;

  useEffect(() => {
    handle.current = mount(host.current, latest.current);
    return () => {
      handle.current.unmount();
      handle.current = null;
    };
  }, []);

  useEffect(() => {
    handle.current?.update(options);
  }, [options]);

  return <div ref={host} />;
}
