//! Users from an environment variable: `NUMEROUS_AUTH_USERS`.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use super::provider::{
    AuthProvider, MemoryRefreshTokens, hash_password, run_password_job, verify_password,
};
use super::{AuthError, User};

/// The variable [`EnvProvider::from_env`] reads.
pub const USERS_VAR: &str = "NUMEROUS_AUTH_USERS";

/// Users from a JSON array, as in `NUMEROUS_AUTH_USERS`:
///
/// ```json
/// [{"username": "admin", "password": "change me now", "is_admin": true},
///  {"username": "ann", "password": "ann's password", "roles": ["editor"], "email": "ann@example.com"}]
/// ```
///
/// Passwords are hashed (argon2) when the provider is made, and the clear text is dropped.
/// Refresh tokens are kept in memory: a restart signs everybody out.
pub struct EnvProvider {
    users: HashMap<String, (User, String)>,
    tokens: MemoryRefreshTokens,
}

impl std::fmt::Debug for EnvProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnvProvider")
            .field("users", &self.users.len())
            .finish_non_exhaustive()
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    username: String,
    password: String,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    roles: Vec<String>,
    #[serde(default)]
    is_admin: bool,
    #[serde(default = "yes")]
    is_active: bool,
}

fn yes() -> bool {
    true
}

impl EnvProvider {
    /// The users in `NUMEROUS_AUTH_USERS`; an error names what is wrong with it (it never
    /// quotes a password).
    pub fn from_env() -> Result<Self, AuthError> {
        let json = std::env::var(USERS_VAR)
            .map_err(|_| AuthError::Config(format!("{USERS_VAR} is not set")))?;
        Self::from_json(&json).map_err(|e| match e {
            AuthError::Config(m) => AuthError::Config(format!("{USERS_VAR}: {m}")),
            e => e,
        })
    }

    /// The users in a JSON array (see the type's documentation).
    pub fn from_json(json: &str) -> Result<Self, AuthError> {
        let entries: Vec<Entry> = serde_json::from_str(json).map_err(|e| {
            AuthError::Config(format!(
                "not a JSON array of users ({}, at line {} column {}); expected \
                 [{{\"username\": \"..\", \"password\": \"..\", \"is_admin\": false, \"roles\": [], \"email\": null}}]",
                describe(&e),
                e.line(),
                e.column()
            ))
        })?;
        if entries.is_empty() {
            return Err(AuthError::Config("the array holds no user".into()));
        }
        let mut users = HashMap::new();
        for (i, e) in entries.into_iter().enumerate() {
            if e.username.trim().is_empty() || e.password.is_empty() {
                return Err(AuthError::Config(format!(
                    "user {} has an empty username or password",
                    i + 1
                )));
            }
            if users.contains_key(&e.username) {
                return Err(AuthError::Config(format!(
                    "user `{}` is listed twice",
                    e.username
                )));
            }
            let hash = hash_password(&e.password)?;
            let user = User {
                id: user_id(&e.username),
                username: e.username.clone(),
                email: e.email,
                roles: e.roles,
                is_admin: e.is_admin,
                is_active: e.is_active,
            };
            users.insert(e.username, (user, hash));
        }
        Ok(EnvProvider {
            users,
            tokens: MemoryRefreshTokens::default(),
        })
    }

    /// How many users there are.
    pub fn len(&self) -> usize {
        self.users.len()
    }

    /// Whether there is no user.
    pub fn is_empty(&self) -> bool {
        self.users.is_empty()
    }
}

/// What is wrong, without quoting the input (it holds passwords).
fn describe(e: &serde_json::Error) -> String {
    let text = e.to_string();
    // serde_json's messages name fields and types; cut the position it appends.
    text.split(" at line ").next().unwrap_or(&text).to_owned()
}

/// A stable id for a user named `username`: the first 16 hex digits of its SHA-256.
fn user_id(username: &str) -> String {
    Sha256::digest(username.as_bytes())
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[async_trait::async_trait]
impl AuthProvider for EnvProvider {
    fn kind(&self) -> &'static str {
        "env"
    }

    async fn authenticate(&self, username: &str, password: &str) -> Result<User, AuthError> {
        let found = self.users.get(username);
        let (password, hash) = (password.to_owned(), found.map(|(_, h)| h.clone()));
        let ok = run_password_job(move || verify_password(&password, hash.as_deref())).await?;
        match found {
            Some((user, _)) if ok && user.is_active => Ok(user.clone()),
            Some(_) if ok => Err(AuthError::Inactive),
            _ => Err(AuthError::InvalidCredentials),
        }
    }

    fn memory_tokens(&self) -> Option<&MemoryRefreshTokens> {
        Some(&self.tokens)
    }

    async fn user(&self, id: &str) -> Result<Option<User>, AuthError> {
        Ok(self
            .users
            .values()
            .find(|(u, _)| u.id == id)
            .map(|(u, _)| u.clone()))
    }

    async fn list_users(&self) -> Result<Vec<User>, AuthError> {
        let mut users: Vec<User> = self.users.values().map(|(u, _)| u.clone()).collect();
        users.sort_by(|a, b| a.username.cmp(&b.username));
        Ok(users)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn users_come_from_json() {
        let p = EnvProvider::from_json(
            r#"[{"username":"ann","password":"secret-ann","roles":["editor"]},
                {"username":"bob","password":"secret-bob","is_admin":true,"is_active":false}]"#,
        )
        .unwrap();
        let ann = p.authenticate("ann", "secret-ann").await.unwrap();
        assert_eq!(ann.roles, ["editor"]);
        assert_eq!(ann.id.len(), 16);
        assert!(matches!(
            p.authenticate("ann", "nope").await,
            Err(AuthError::InvalidCredentials)
        ));
        assert!(matches!(
            p.authenticate("carl", "secret-ann").await,
            Err(AuthError::InvalidCredentials)
        ));
        assert!(matches!(
            p.authenticate("bob", "secret-bob").await,
            Err(AuthError::Inactive)
        ));
        assert_eq!(p.user(&ann.id).await.unwrap().unwrap().username, "ann");
    }

    #[test]
    fn bad_json_is_named_without_quoting_passwords() {
        for (json, says) in [
            ("{", "not a JSON array"),
            (r#"{"username":"a"}"#, "not a JSON array"),
            ("[]", "no user"),
            (
                r#"[{"username":"a","password":"hunter22","admin":true}]"#,
                "unknown field `admin`",
            ),
            (
                r#"[{"username":"a","password":"hunter22"},{"username":"a","password":"x"}]"#,
                "listed twice",
            ),
            (r#"[{"username":"a","password":""}]"#, "empty"),
        ] {
            let e = EnvProvider::from_json(json).unwrap_err().to_string();
            assert!(e.contains(says), "{json}: {e}");
            assert!(!e.contains("hunter22"), "{e}");
        }
    }
}
