//! The fixture file format (`fixtures/tenant.json`): clients, connections and users.

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixtures {
    pub clients: Vec<ClientFixture>,
    pub connections: Vec<ConnectionFixture>,
    pub users: Vec<UserFixture>,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum AppType {
    Spa,
    NonInteractive,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientFixture {
    pub client_id: String,
    pub name: String,
    pub app_type: AppType,
    #[serde(default)]
    pub client_secret: Option<String>,
    /// Allowed callback URLs, compared exactly.
    pub callbacks: Vec<String>,
    /// Allowed web origins (CORS, `web_message`).
    pub web_origins: Vec<String>,
    pub allowed_logout_urls: Vec<String>,
    /// Whether `--app-origin` values are added to this client's lists.
    #[serde(default)]
    pub accept_app_origins: bool,
    /// Scopes a `client_credentials` token for the Management API gets.
    #[serde(default)]
    pub client_credentials_scopes: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectionFixture {
    pub name: String,
    pub strategy: String,
    pub label: String,
}

impl ConnectionFixture {
    pub fn is_social(&self) -> bool {
        self.strategy != "auth0"
    }
    /// Auth0 connection ids look like `con_…`; ours are derived from the name.
    pub fn id(&self) -> String {
        format!(
            "con_{}",
            self.name.replace(|c: char| !c.is_ascii_alphanumeric(), "")
        )
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserFixture {
    /// `{provider}|{id}`, the provider being the connection's strategy.
    pub user_id: String,
    pub connection: String,
    pub email: Option<String>,
    pub email_verified: Option<bool>,
    pub name: String,
    pub nickname: Option<String>,
    pub picture: Option<String>,
    #[serde(default)]
    pub user_metadata: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(default)]
    pub app_metadata: Option<serde_json::Map<String, serde_json::Value>>,
}

impl Fixtures {
    pub fn load(path: &std::path::Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let fixtures: Fixtures = serde_json::from_str(&text)
            .map_err(|e| format!("{}: invalid fixture file: {e}", path.display()))?;
        fixtures.check()?;
        Ok(fixtures)
    }

    fn check(&self) -> Result<(), String> {
        for user in &self.users {
            let conn = self
                .connections
                .iter()
                .find(|c| c.name == user.connection)
                .ok_or_else(|| {
                    format!(
                        "user {}: unknown connection {}",
                        user.user_id, user.connection
                    )
                })?;
            let prefix = format!("{}|", conn.strategy);
            if !user.user_id.starts_with(&prefix) || user.user_id.len() == prefix.len() {
                return Err(format!(
                    "user {}: user_id must start with {prefix}",
                    user.user_id
                ));
            }
        }
        Ok(())
    }
}
