// The type of every shipped catalog, `auth0-account-link/locales/<locale>`: the widget's
// texts by key (see the package README), loaded by `loadMessages` or passed as `messages`.
import type { Messages } from "./index.js";

declare const messages: Messages;
export default messages;
