//! The tenant's in-memory state: users and their identities, pending authorizations,
//! codes, sessions, refresh tokens, test-mode switches, rate-limit windows and logs.

use crate::fixtures::{Fixtures, UserFixture};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Profile {
    pub email: Option<String>,
    pub email_verified: Option<bool>,
    pub name: String,
    pub nickname: Option<String>,
    pub picture: Option<String>,
}

impl Profile {
    pub fn to_json(&self) -> Value {
        let mut v = json!({ "name": self.name });
        if let Some(e) = &self.email {
            v["email"] = json!(e);
        }
        if let Some(e) = self.email_verified {
            v["email_verified"] = json!(e);
        }
        if let Some(n) = &self.nickname {
            v["nickname"] = json!(n);
        }
        if let Some(p) = &self.picture {
            v["picture"] = json!(p);
        }
        v
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub connection: String,
    pub provider: String,
    /// The id without the provider prefix, as Auth0 returns it.
    pub user_id: String,
    pub is_social: bool,
    /// Present on linked (secondary) identities only.
    pub profile_data: Option<Profile>,
}

impl Identity {
    pub fn key(&self) -> String {
        format!("{}|{}", self.provider, self.user_id)
    }
    pub fn to_json(&self) -> Value {
        let mut v = json!({
            "connection": self.connection,
            "user_id": self.user_id,
            "provider": self.provider,
            "isSocial": self.is_social,
        });
        if let Some(p) = &self.profile_data {
            v["profileData"] = p.to_json();
        }
        v
    }
}

#[derive(Debug, Clone)]
pub struct User {
    pub user_id: String,
    pub profile: Profile,
    pub identities: Vec<Identity>,
    /// What the user may change about themselves (a JSON object; empty: none).
    pub user_metadata: serde_json::Map<String, Value>,
    /// What only the application's back end changes (a JSON object; empty: none).
    pub app_metadata: serde_json::Map<String, Value>,
}

impl User {
    pub fn to_json(&self) -> Value {
        let mut v = self.profile.to_json();
        v["user_id"] = json!(self.user_id);
        v["identities"] = Value::Array(self.identities.iter().map(Identity::to_json).collect());
        // Auth0 leaves out metadata a user does not have.
        if !self.user_metadata.is_empty() {
            v["user_metadata"] = Value::Object(self.user_metadata.clone());
        }
        if !self.app_metadata.is_empty() {
            v["app_metadata"] = Value::Object(self.app_metadata.clone());
        }
        v["created_at"] = json!("2026-01-01T00:00:00.000Z");
        v["updated_at"] = json!("2026-01-01T00:00:00.000Z");
        v
    }
}

/// A validated `/authorize` request waiting for the login page.
#[derive(Debug, Clone)]
pub struct AuthRequest {
    pub client_id: String,
    pub redirect_uri: String,
    pub response_mode: ResponseMode,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub scope: String,
    pub audience: Option<String>,
    pub connection: Option<String>,
    pub code_challenge: String,
    pub max_age: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseMode {
    Query,
    WebMessage,
}

#[derive(Debug, Clone)]
pub struct CodeGrant {
    pub request: AuthRequest,
    pub user_id: String,
    pub auth_time: u64,
    pub expires_at: u64,
    pub used: bool,
}

#[derive(Debug, Clone)]
pub struct Session {
    /// The identity that signed in (`provider|id`). The session's user is whoever owns
    /// it now: linking it into a primary makes the session the primary's, as on Auth0.
    pub identity: String,
    pub auth_time: u64,
}

#[derive(Debug, Clone)]
pub struct RefreshGrant {
    pub client_id: String,
    pub user_id: String,
    pub scope: String,
    pub audience: Option<String>,
    /// When the user authenticated; refreshed ID tokens keep it.
    pub auth_time: u64,
}

/// Test-mode switches: each makes the next matching response misbehave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Misbehaviour {
    IdTokenWrongNonce,
    IdTokenWrongIss,
    IdTokenWrongAud,
    IdTokenMultiAudNoAzp,
    IdTokenBadSignature,
    IdTokenAlgNone,
    IdTokenHs256,
    IdTokenExpired,
    IdTokenFutureIat,
    IdTokenUnknownKid,
    IdTokenNoKid,
    AuthorizeAccessDenied,
    AuthorizeWrongState,
    AuthorizeWrongOrigin,
    TokenSlow,
    TokenServerError,
    MgmtServerError,
    MgmtRateLimited,
    /// The next matching Management API call is answered `delay_ms` late (a slow network),
    /// so a test can look at the widget while its call is in flight.
    MgmtSlow,
}

impl Misbehaviour {
    pub fn is_id_token(self) -> bool {
        matches!(
            self,
            Misbehaviour::IdTokenWrongNonce
                | Misbehaviour::IdTokenWrongIss
                | Misbehaviour::IdTokenWrongAud
                | Misbehaviour::IdTokenMultiAudNoAzp
                | Misbehaviour::IdTokenBadSignature
                | Misbehaviour::IdTokenAlgNone
                | Misbehaviour::IdTokenHs256
                | Misbehaviour::IdTokenExpired
                | Misbehaviour::IdTokenFutureIat
                | Misbehaviour::IdTokenUnknownKid
                | Misbehaviour::IdTokenNoKid
        )
    }
}

/// Which Management API route a management switch applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum MgmtRoute {
    #[default]
    Any,
    GetUser,
    Link,
    Unlink,
    PatchUser,
}

#[derive(Debug, Clone, Serialize)]
pub struct ArmedSwitch {
    pub switch: Misbehaviour,
    pub remaining: u32,
    pub route: MgmtRoute,
    pub delay_ms: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct RequestLogEntry {
    pub method: String,
    pub path: String,
    pub status: u16,
}

/// A request either server (the tenant or the app site) received, as the browser sent it:
/// what a test reads instead of watching the browser's network (which not every browser's
/// automation protocol shows).
#[derive(Debug, Clone, Serialize)]
pub struct SeenRequest {
    /// `"tenant"` or `"app"`.
    pub server: &'static str,
    pub method: String,
    /// `http://{Host}{path}?{query}`, as requested.
    pub url: String,
    pub referer: Option<String>,
    /// The `grant_type` of a form-encoded `POST /oauth/token`.
    pub grant_type: Option<String>,
    pub status: u16,
}

#[derive(Debug, Default)]
pub struct RateWindow {
    pub window_start: u64,
    pub count: u32,
}

#[derive(Debug)]
pub struct Store {
    pub users: Vec<User>,
    pub auth_requests: HashMap<String, AuthRequest>,
    pub codes: HashMap<String, CodeGrant>,
    pub sessions: HashMap<String, Session>,
    pub refresh_tokens: HashMap<String, RefreshGrant>,
    pub switches: Vec<ArmedSwitch>,
    pub auto_login: Option<String>,
    pub rate: HashMap<String, RateWindow>,
    pub deprecated_log: Vec<String>,
    pub mgmt_log: Vec<RequestLogEntry>,
    /// Test mode only: every request both servers received, oldest first.
    pub seen: Vec<SeenRequest>,
    /// Test mode only: the recent-sign-in rule set by `POST /test/require-recent-auth`
    /// (over `--require-recent-auth`; `Some(None)` turns it off).
    pub recent_auth_rule: Option<Option<u64>>,
}

impl Store {
    pub fn from_fixtures(fixtures: &Fixtures) -> Self {
        let users = fixtures
            .users
            .iter()
            .map(|u| user_from_fixture(fixtures, u))
            .collect();
        Store {
            users,
            auth_requests: HashMap::new(),
            codes: HashMap::new(),
            sessions: HashMap::new(),
            refresh_tokens: HashMap::new(),
            switches: Vec::new(),
            auto_login: None,
            rate: HashMap::new(),
            deprecated_log: Vec::new(),
            mgmt_log: Vec::new(),
            seen: Vec::new(),
            recent_auth_rule: None,
        }
    }

    pub fn user(&self, user_id: &str) -> Option<&User> {
        self.users.iter().find(|u| u.user_id == user_id)
    }

    pub fn user_mut(&mut self, user_id: &str) -> Option<&mut User> {
        self.users.iter_mut().find(|u| u.user_id == user_id)
    }

    /// The user that owns an identity (`provider|id`): itself if standalone, or the
    /// primary it was linked into.
    pub fn owner_of_identity(&self, identity_key: &str) -> Option<&User> {
        self.users
            .iter()
            .find(|u| u.identities.iter().any(|i| i.key() == identity_key))
    }

    /// Identities of one connection (or all), with the profile a login page shows.
    pub fn login_choices(&self, connection: Option<&str>) -> Vec<(String, String, Profile)> {
        let mut out = Vec::new();
        for user in &self.users {
            for (index, identity) in user.identities.iter().enumerate() {
                if connection.is_some_and(|c| c != identity.connection) {
                    continue;
                }
                let profile = if index == 0 {
                    user.profile.clone()
                } else {
                    identity
                        .profile_data
                        .clone()
                        .unwrap_or_else(|| user.profile.clone())
                };
                out.push((identity.key(), identity.connection.clone(), profile));
            }
        }
        out
    }

    /// Arms a switch; a later arm of the same switch replaces the earlier one.
    pub fn arm(&mut self, switch: ArmedSwitch) {
        self.switches.retain(|s| s.switch != switch.switch);
        self.switches.push(switch);
    }

    /// Consumes one use of a switch if armed (and matching the route for management ones).
    pub fn take(&mut self, switch: Misbehaviour, route: Option<MgmtRoute>) -> Option<ArmedSwitch> {
        let index = self.switches.iter().position(|s| {
            s.switch == switch
                && match route {
                    None => true,
                    Some(r) => s.route == MgmtRoute::Any || s.route == r,
                }
        })?;
        let armed = self.switches[index].clone();
        if armed.remaining <= 1 {
            self.switches.remove(index);
        } else {
            self.switches[index].remaining -= 1;
        }
        Some(armed)
    }

    /// The first armed ID-token switch, consumed.
    pub fn take_id_token_switch(&mut self) -> Option<Misbehaviour> {
        let switch = self
            .switches
            .iter()
            .find(|s| s.switch.is_id_token())?
            .switch;
        self.take(switch, None).map(|s| s.switch)
    }
}

pub fn user_from_fixture(fixtures: &Fixtures, u: &UserFixture) -> User {
    let connection = fixtures.connections.iter().find(|c| c.name == u.connection);
    let (provider, bare) = u.user_id.split_once('|').unwrap_or(("auth0", &u.user_id));
    let profile = Profile {
        email: u.email.clone(),
        email_verified: u.email_verified,
        name: u.name.clone(),
        nickname: u.nickname.clone(),
        picture: u.picture.clone(),
    };
    User {
        user_id: u.user_id.clone(),
        profile,
        identities: vec![Identity {
            connection: u.connection.clone(),
            provider: provider.to_owned(),
            user_id: bare.to_owned(),
            is_social: connection.is_some_and(|c| c.is_social()),
            profile_data: None,
        }],
        user_metadata: u.user_metadata.clone().unwrap_or_default(),
        app_metadata: u.app_metadata.clone().unwrap_or_default(),
    }
}

/// Auth0's `PATCH /api/v2/users/{id}` on `user_metadata`: the properties at the root level
/// are merged into what the user has (a nested object is replaced whole, not merged), a
/// property set to `null` is deleted, and an empty object removes all of it
/// (<https://auth0.com/docs/manage-users/user-accounts/metadata/manage-metadata-api>).
pub fn patch_metadata(
    current: &mut serde_json::Map<String, Value>,
    patch: &serde_json::Map<String, Value>,
) {
    if patch.is_empty() {
        current.clear();
        return;
    }
    for (key, value) in patch {
        if value.is_null() {
            current.remove(key);
        } else {
            current.insert(key.clone(), value.clone());
        }
    }
}
