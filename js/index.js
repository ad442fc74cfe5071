// auth0-account-link: the package entry (ES module, no bare imports).
export { default, mount, linkWithPopup, listIdentities, unlink, resumeRedirect, MountHandle } from "./auth0_account_link.js";
