// An own UI in React on the headless entry's store: the list (the primary marked), the
// link buttons, the question, the progress and the notice are this component's; the
// session and its texts (in the options' `locale`) are the package's.
import { useEffect, useState } from "react";
import { useAccountLink } from "./useAccountLink.js";

export function OwnUi({ options }) {
  const [view, store] = useAccountLink(options);
  const [seen, setSeen] = useState([]);
  const status = view?.status ?? "loading";
  useEffect(() => {
    setSeen((list) => (list.at(-1) === status ? list : [...list, status]));
  }, [status]);
  if (!view || !store) return <p id="own-status" data-status="loading">loading</p>;
  const question = view.question?.kind === "confirm" ? view.question : null;
  return (
    <>
      <p id="own-status" role="status" data-status={status}>{view.statusMessage}</p>
      <ul id="own-identities">
        {(view.identities ?? []).map((identity) => (
          <li key={`${identity.provider}|${identity.user_id}`} data-provider={identity.provider} data-primary={identity.primary}>
            {identity.label} · {identity.profileData?.email ?? identity.user_id}
            {identity.primary ? " (primary)" : (
              <button type="button" className="own-unlink" disabled={!view.offers.unlink} onClick={() => store.unlink(identity)}>Unlink</button>
            )}
          </li>
        ))}
      </ul>
      {view.connections.map(({ connection, label }) => (
        <button key={connection} type="button" className="own-link" data-connection={connection} disabled={!view.offers.link} onClick={() => store.link(connection)}>
          + {label}
        </button>
      ))}
      {question && (
        <div id="own-question">
          <p>Link {question.profile.email ?? question.profile.userId}?</p>
          <button type="button" id="own-yes" onClick={() => store.answer(question.id, true)}>Link it</button>
          <button type="button" id="own-no" onClick={() => store.answer(question.id, false)}>No</button>
        </div>
      )}
      {view.notice && (
        <p id="own-notice" role="alert" data-code={view.notice.code ?? view.notice.kind}>
          {view.notice.message}
        </p>
      )}
      <ol id="own-seen">{seen.map((s, i) => <li key={i}>{s}</li>)}</ol>
    </>
  );
}
