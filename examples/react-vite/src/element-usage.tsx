// Type-checked with tsc (not bundled): `<auth0-account-link>` in React 19 JSX, typed by
// `auth0-account-link/element/react`. A wrong attribute or handler type must fail the check:
// each `@ts-expect-error` below fails tsc when its line stops being an error.
import type {} from "auth0-account-link/element/react";
import type { AccountLinkOptions } from "auth0-account-link";

export function Linked({ getAccessToken }: { getAccessToken: AccountLinkOptions["getAccessToken"] }) {
  return (
    <>
      <auth0-account-link
        domain="tenant.example.com"
        client-id="abc"
        connections="google-oauth2,github"
        heading-level="3"
        theme="dark"
        getAccessToken={getAccessToken}
        options={{ locale: "de", onError: (detail) => detail.code }}
        onaccount-link-linked={(e) => e.detail.identities.length}
        onaccount-link-error={(e) => e.detail.code.toUpperCase()}
      />
      {/* @ts-expect-error: "blue" is not a theme */}
      <auth0-account-link theme="blue" />
      {/* @ts-expect-error: the heading level is 2 to 6 */}
      <auth0-account-link heading-level="7" />
      {/* @ts-expect-error: a linked event carries identities, not a code */}
      <auth0-account-link onaccount-link-linked={(e) => e.detail.code} />
      {/* @ts-expect-error: options are the widget's options */}
      <auth0-account-link options={{ responseMode: "fragment" }} />
    </>
  );
}
