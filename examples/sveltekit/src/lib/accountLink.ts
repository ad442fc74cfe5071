// A Svelte action around the package's mount(): mounted with the element, handed every new
// options object with handle.update() (no remount, so a popup in flight survives),
// unmounted with it.
import { mount, type AccountLinkOptions } from "auth0-account-link";

export function accountLink(node: HTMLElement, options: AccountLinkOptions) {
  const handle = mount(node, options);
  return {
    update: (next: AccountLinkOptions) => handle.update(next),
    destroy: () => handle.unmount(),
  };
}
