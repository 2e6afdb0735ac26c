//! Users in a SQL database through sqlx: SQLite (a file) by default, PostgreSQL in production.

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};
use tokio::sync::OnceCell;

use super::provider::{
    AuthProvider, ImportReport, NewUser, RefreshRecord, RefreshUse, UserChanges, check_password,
    hash_password, run_password_job, verify_password,
};
use super::{AuthError, User, now};

/// The variable [`DbProvider::from_env`] reads.
pub const DATABASE_URL_VAR: &str = "DATABASE_URL";
/// The database used when `DATABASE_URL` is not set: a SQLite file in the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://numerous-auth.db?mode=rwc";

/// The auth tables' migrations; versions it does not know (the app's own) are left alone.
fn migrator() -> sqlx::migrate::Migrator {
    let mut m = sqlx::migrate!("./migrations/auth");
    m.set_ignore_missing(true);
    m
}

/// Users, roles and refresh tokens in a SQL database: SQLite or PostgreSQL, by URL
/// (`sqlite://users.db?mode=rwc`, `postgres://user:password@host/db`). The tables
/// (`numerous_users`, `numerous_roles`, `numerous_user_roles`, `numerous_refresh_tokens`) are
/// created by embedded migrations when the app starts.
///
/// Passwords are hashed with argon2; roles are created as users are given them. Users are
/// created from code ([`AuthProvider::create_user`]) or from the command line of the app
/// (`my-app create-user ann --role editor`).
///
/// Sharing the database with migrations of your own: sqlx records both in one table; ours
/// ignore versions they do not know, and yours must too (`Migrator::set_ignore_missing(true)`),
/// with version numbers other than ours (`20261123000001`).
pub struct DbProvider {
    url: String,
    /// Connected and migrated at first use (in the async runtime).
    pool: OnceCell<AnyPool>,
}

impl std::fmt::Debug for DbProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DbProvider")
            .field("url", &super::redact_url(&self.url))
            .finish_non_exhaustive()
    }
}

fn backend(e: impl std::fmt::Display) -> AuthError {
    AuthError::Backend(e.to_string())
}

impl DbProvider {
    /// The database at `DATABASE_URL`, or a SQLite file `numerous-auth.db` when it is not set.
    /// Nothing is connected until the app starts (or a user command runs).
    pub fn from_env() -> Result<Self, AuthError> {
        let url = std::env::var(DATABASE_URL_VAR).unwrap_or_else(|_| DEFAULT_DATABASE_URL.into());
        Self::new(&url)
    }

    /// The database at `url` (checked now); nothing is connected until first used.
    pub fn new(url: &str) -> Result<Self, AuthError> {
        sqlx::any::install_default_drivers();
        url.parse::<sqlx::any::AnyConnectOptions>().map_err(|e| {
            AuthError::Config(format!(
                "the auth database URL `{}`: {e}",
                super::redact_url(url)
            ))
        })?;
        Ok(DbProvider {
            url: url.to_owned(),
            pool: OnceCell::new(),
        })
    }

    /// The connection pool, connected and migrated (to share the database with the app's own
    /// tables).
    pub async fn pool(&self) -> Result<&AnyPool, AuthError> {
        self.ready().await
    }

    async fn ready(&self) -> Result<&AnyPool, AuthError> {
        self.pool
            .get_or_try_init(|| async {
                let unusable = |e: &dyn std::fmt::Display| {
                    AuthError::Config(format!(
                        "the auth database at `{}` cannot be used: {e}",
                        super::redact_url(&self.url)
                    ))
                };
                // An in-memory SQLite database (tests) lives as long as its one connection.
                let memory = self.url.contains(":memory:") || self.url.contains("mode=memory");
                let pool = AnyPoolOptions::new()
                    .max_connections(if memory { 1 } else { 8 })
                    .min_connections(u32::from(memory))
                    .idle_timeout((!memory).then_some(std::time::Duration::from_secs(600)))
                    .max_lifetime((!memory).then_some(std::time::Duration::from_secs(1800)))
                    .acquire_timeout(std::time::Duration::from_secs(5))
                    .connect(&self.url)
                    .await
                    .map_err(|e| unusable(&e))?;
                migrator().run(&pool).await.map_err(|e| unusable(&e))?;
                Ok::<_, AuthError>(pool)
            })
            .await
    }

    async fn roles(&self, user_id: &str) -> Result<Vec<String>, AuthError> {
        let rows =
            sqlx::query("SELECT role FROM numerous_user_roles WHERE user_id = $1 ORDER BY role")
                .bind(user_id)
                .fetch_all(self.ready().await?)
                .await
                .map_err(backend)?;
        rows.iter()
            .map(|r| r.try_get::<String, _>(0).map_err(backend))
            .collect()
    }

    async fn find(&self, column: &str, value: &str) -> Result<Option<(User, String)>, AuthError> {
        // No stored name holds a NUL (validated), and PostgreSQL's text cannot carry one: it
        // is nobody, as on SQLite, not a database error.
        if value.contains('\0') {
            return Ok(None);
        }
        let sql = format!(
            "SELECT id, username, email, is_admin, is_active, password_hash FROM numerous_users WHERE {column} = $1"
        );
        let row = sqlx::query(&sql)
            .bind(value)
            .fetch_optional(self.ready().await?)
            .await
            .map_err(backend)?;
        let Some(row) = row else { return Ok(None) };
        let (mut user, hash) = user_of(&row)?;
        user.roles = self.roles(&user.id).await?;
        Ok(Some((user, hash)))
    }

    async fn revoke_user(&self, user_id: &str) -> Result<(), AuthError> {
        sqlx::query("UPDATE numerous_refresh_tokens SET revoked = 1 WHERE user_id = $1")
            .bind(user_id)
            .execute(self.ready().await?)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn id_of(&self, username: &str) -> Result<String, AuthError> {
        self.find("username", username)
            .await?
            .map(|(u, _)| u.id)
            .ok_or_else(|| AuthError::UserNotFound(username.to_owned()))
    }
}

/// Gives user `id` these roles (each role made if new), in `tx`.
async fn give_roles(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: &str,
    roles: &[String],
) -> Result<(), AuthError> {
    for role in roles {
        sqlx::query("INSERT INTO numerous_roles (name) VALUES ($1) ON CONFLICT (name) DO NOTHING")
            .bind(role)
            .execute(&mut **tx)
            .await
            .map_err(backend)?;
        sqlx::query("INSERT INTO numerous_user_roles (user_id, role) VALUES ($1, $2)")
            .bind(id)
            .bind(role)
            .execute(&mut **tx)
            .await
            .map_err(backend)?;
    }
    Ok(())
}

impl DbProvider {
    /// Copies the users of a numerous-apps database (its `users`, `roles` and `user_roles`
    /// tables, SQLite or PostgreSQL, at `from`) into numerous's tables: the same ids, names,
    /// emails, admin and active flags and roles, and their bcrypt password hashes, which
    /// sign-in accepts and replaces with argon2 at the user's first sign-in. A user whose name
    /// or email is here already is skipped, and said so; running it again imports nobody twice.
    pub async fn import_numerous_apps(&self, from: &str) -> Result<ImportReport, AuthError> {
        sqlx::any::install_default_drivers();
        let source = sqlx::any::AnyPoolOptions::new()
            .max_connections(1)
            .connect(from)
            .await
            .map_err(|e| {
                AuthError::Config(format!("cannot open the numerous-apps database: {e}"))
            })?;
        // Booleans as integers: SQLite (SQLAlchemy) stores 0/1, PostgreSQL `boolean`.
        let users = sqlx::query(
            "SELECT id, username, email, password_hash, \
             CAST(CASE WHEN is_admin THEN 1 ELSE 0 END AS BIGINT) AS is_admin, \
             CAST(CASE WHEN is_active THEN 1 ELSE 0 END AS BIGINT) AS is_active \
             FROM users ORDER BY username",
        )
        .fetch_all(&source)
        .await
        .map_err(|e| {
            AuthError::Config(format!(
                "the numerous-apps database has no users table as expected: {e}"
            ))
        })?;
        let memberships = sqlx::query(
            "SELECT ur.user_id, r.name FROM user_roles ur JOIN roles r ON r.id = ur.role_id ORDER BY r.name",
        )
        .fetch_all(&source)
        .await
        .map_err(backend)?;
        source.close().await;
        let pool = self.ready().await?;
        let mut report = ImportReport::default();
        for row in &users {
            let (mut user, hash) = user_of(row)?;
            for m in &memberships {
                let (user_id, role): (String, String) = (
                    m.try_get(0).map_err(backend)?,
                    m.try_get(1).map_err(backend)?,
                );
                if user_id == user.id {
                    user.roles.push(role);
                }
            }
            let mut tx = pool.begin().await.map_err(backend)?;
            let inserted = sqlx::query(
                "INSERT INTO numerous_users (id, username, email, password_hash, is_admin, is_active, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
            )
            .bind(&user.id)
            .bind(&user.username)
            .bind(&user.email)
            .bind(&hash)
            .bind(i64::from(user.is_admin))
            .bind(i64::from(user.is_active))
            .bind(now())
            .execute(&mut *tx)
            .await;
            match inserted {
                Ok(_) => {}
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                    report.skipped.push(user.username);
                    continue;
                }
                Err(e) => return Err(backend(e)),
            }
            give_roles(&mut tx, &user.id, &user.roles).await?;
            tx.commit().await.map_err(backend)?;
            report.imported.push(user.username);
        }
        Ok(report)
    }
}

fn user_of(row: &AnyRow) -> Result<(User, String), AuthError> {
    Ok((
        User {
            id: row.try_get("id").map_err(backend)?,
            username: row.try_get("username").map_err(backend)?,
            email: row.try_get("email").map_err(backend)?,
            roles: Vec::new(),
            is_admin: row.try_get::<i64, _>("is_admin").map_err(backend)? != 0,
            is_active: row.try_get::<i64, _>("is_active").map_err(backend)? != 0,
        },
        row.try_get("password_hash").map_err(backend)?,
    ))
}

#[async_trait::async_trait]
impl AuthProvider for DbProvider {
    fn kind(&self) -> &'static str {
        "database"
    }

    async fn init(&self) -> Result<(), AuthError> {
        self.ready().await.map(|_| ())
    }

    async fn authenticate(&self, username: &str, password: &str) -> Result<User, AuthError> {
        let found = self.find("username", username).await?;
        let hash = found.as_ref().map(|(_, h)| h.clone());
        let given = password.to_owned();
        let ok = run_password_job(move || verify_password(&given, hash.as_deref())).await?;
        // A hash imported from numerous-apps (bcrypt) becomes argon2 at its first sign-in; a
        // rehash that fails (the pool busy, the database away) leaves it for the next one and
        // fails no sign-in. `password_hash = old`: a password set meanwhile is not overwritten.
        if ok
            && let Some((user, old)) = &found
            && user.is_active
            && super::provider::needs_rehash(old)
        {
            let given = password.to_owned();
            let rehashed = match run_password_job(move || hash_password(&given)).await {
                Ok(Ok(new)) => match self.ready().await {
                    Ok(pool) => sqlx::query(
                        "UPDATE numerous_users SET password_hash = $1, updated_at = $2 WHERE id = $3 AND password_hash = $4",
                    )
                    .bind(new)
                    .bind(now())
                    .bind(&user.id)
                    .bind(old)
                    .execute(pool)
                    .await
                    .map(|_| ())
                    .map_err(backend),
                    Err(e) => Err(e),
                },
                Ok(Err(e)) | Err(e) => Err(e),
            };
            if let Err(e) = rehashed {
                tracing::warn!(user = %user.username, "the imported password stays bcrypt for now: {e}");
            }
        }
        match found {
            Some((user, _)) if ok && user.is_active => Ok(user),
            Some(_) if ok => Err(AuthError::Inactive),
            _ => Err(AuthError::InvalidCredentials),
        }
    }

    async fn user(&self, id: &str) -> Result<Option<User>, AuthError> {
        Ok(self.find("id", id).await?.map(|(u, _)| u))
    }

    async fn import_numerous_apps(&self, from: &str) -> Result<ImportReport, AuthError> {
        DbProvider::import_numerous_apps(self, from).await
    }

    async fn user_by_name(&self, username: &str) -> Result<Option<User>, AuthError> {
        Ok(self.find("username", username).await?.map(|(u, _)| u))
    }

    async fn update_user(&self, username: &str, changes: UserChanges) -> Result<User, AuthError> {
        changes.validate()?;
        let id = self.id_of(username).await?;
        let pool = self.ready().await?;
        let mut tx = pool.begin().await.map_err(backend)?;
        if let Some(email) = &changes.email {
            let updated =
                sqlx::query("UPDATE numerous_users SET email = $1, updated_at = $2 WHERE id = $3")
                    .bind(email.as_deref())
                    .bind(now())
                    .bind(&id)
                    .execute(&mut *tx)
                    .await;
            match updated {
                Ok(_) => {}
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                    return Err(AuthError::EmailTaken(
                        email.as_deref().unwrap_or_default().to_owned(),
                    ));
                }
                Err(e) => return Err(backend(e)),
            }
        }
        if let Some(is_admin) = changes.is_admin {
            sqlx::query("UPDATE numerous_users SET is_admin = $1, updated_at = $2 WHERE id = $3")
                .bind(i64::from(is_admin))
                .bind(now())
                .bind(&id)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
        }
        if let Some(roles) = &changes.roles {
            sqlx::query("DELETE FROM numerous_user_roles WHERE user_id = $1")
                .bind(&id)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
            let mut roles = roles.clone();
            roles.sort();
            roles.dedup();
            give_roles(&mut tx, &id, &roles).await?;
        }
        tx.commit().await.map_err(backend)?;
        self.find("id", &id)
            .await?
            .map(|(u, _)| u)
            .ok_or_else(|| AuthError::UserNotFound(username.to_owned()))
    }

    async fn delete_user(&self, username: &str) -> Result<(), AuthError> {
        let id = self.id_of(username).await?;
        let pool = self.ready().await?;
        let mut tx = pool.begin().await.map_err(backend)?;
        for sql in [
            "DELETE FROM numerous_refresh_tokens WHERE user_id = $1",
            "DELETE FROM numerous_user_roles WHERE user_id = $1",
            "DELETE FROM numerous_users WHERE id = $1",
        ] {
            sqlx::query(sql)
                .bind(&id)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
        }
        tx.commit().await.map_err(backend)
    }

    async fn store_refresh(&self, token: RefreshRecord) -> Result<(), AuthError> {
        let pool = self.ready().await?;
        let now = now();
        // Expired tokens go as new ones come; and a rotation replaces rather than accumulates:
        // of the login's used tokens only the last is kept (a reuse of it is still caught).
        sqlx::query("DELETE FROM numerous_refresh_tokens WHERE expires_at < $1")
            .bind(now)
            .execute(pool)
            .await
            .map_err(backend)?;
        sqlx::query(
            "DELETE FROM numerous_refresh_tokens WHERE family = $1 AND used_at IS NOT NULL \
             AND id NOT IN (SELECT id FROM numerous_refresh_tokens WHERE family = $1 \
             AND used_at IS NOT NULL ORDER BY used_at DESC, created_at DESC LIMIT 1)",
        )
        .bind(&token.family)
        .execute(pool)
        .await
        .map_err(backend)?;
        sqlx::query(
            "INSERT INTO numerous_refresh_tokens (id, family, user_id, expires_at, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token.id)
        .bind(token.family)
        .bind(token.user_id)
        .bind(token.expires_at)
        .bind(now)
        .execute(pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn use_refresh(&self, id: &str, now: i64) -> Result<RefreshUse, AuthError> {
        let pool = self.ready().await?;
        // One statement: of two concurrent uses, one wins.
        let used = sqlx::query(
            "UPDATE numerous_refresh_tokens SET used_at = $2 \
             WHERE id = $1 AND used_at IS NULL AND revoked = 0 AND expires_at > $2 \
             RETURNING user_id",
        )
        .bind(id)
        .bind(now)
        .fetch_optional(pool)
        .await
        .map_err(backend)?;
        if let Some(row) = used {
            return Ok(RefreshUse::Fresh {
                user_id: row.try_get(0).map_err(backend)?,
            });
        }
        let row = sqlx::query(
            "SELECT used_at FROM numerous_refresh_tokens WHERE id = $1 AND revoked = 0 AND expires_at > $2",
        )
        .bind(id)
        .bind(now)
        .fetch_optional(pool)
        .await
        .map_err(backend)?;
        let used_at: Option<i64> = match row {
            Some(row) => row.try_get(0).map_err(backend)?,
            None => None,
        };
        Ok(match used_at {
            Some(used_at) => RefreshUse::Reused { used_at },
            None => RefreshUse::Unknown,
        })
    }

    async fn revoke_family(&self, family: &str) -> Result<(), AuthError> {
        sqlx::query("UPDATE numerous_refresh_tokens SET revoked = 1 WHERE family = $1")
            .bind(family)
            .execute(self.ready().await?)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn create_user(&self, new: NewUser) -> Result<User, AuthError> {
        new.validate()?;
        let pool = self.ready().await?;
        let password = new.password.clone();
        let hash = run_password_job(move || hash_password(&password)).await??;
        let id = crate::util::random_hex(16);
        let now = now();
        let mut tx = pool.begin().await.map_err(backend)?;
        let inserted = sqlx::query(
            "INSERT INTO numerous_users (id, username, email, password_hash, is_admin, is_active, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 1, $6, $6)",
        )
        .bind(&id)
        .bind(&new.username)
        .bind(&new.email)
        .bind(&hash)
        .bind(i64::from(new.is_admin))
        .bind(now)
        .execute(&mut *tx)
        .await;
        match inserted {
            Ok(_) => {}
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                return Err(AuthError::UserExists(new.username));
            }
            Err(e) => return Err(backend(e)),
        }
        let mut roles = new.roles.clone();
        roles.sort();
        roles.dedup();
        give_roles(&mut tx, &id, &roles).await?;
        tx.commit().await.map_err(backend)?;
        Ok(User {
            id,
            username: new.username,
            email: new.email,
            roles,
            is_admin: new.is_admin,
            is_active: true,
        })
    }

    async fn list_users(&self) -> Result<Vec<User>, AuthError> {
        let pool = self.ready().await?;
        let rows = sqlx::query(
            "SELECT id, username, email, is_admin, is_active, password_hash FROM numerous_users ORDER BY username",
        )
        .fetch_all(pool)
        .await
        .map_err(backend)?;
        let mut users = rows
            .iter()
            .map(|r| user_of(r).map(|(u, _)| u))
            .collect::<Result<Vec<_>, _>>()?;
        let roles = sqlx::query("SELECT user_id, role FROM numerous_user_roles ORDER BY role")
            .fetch_all(pool)
            .await
            .map_err(backend)?;
        for r in &roles {
            let (user_id, role): (String, String) = (
                r.try_get(0).map_err(backend)?,
                r.try_get(1).map_err(backend)?,
            );
            if let Some(u) = users.iter_mut().find(|u| u.id == user_id) {
                u.roles.push(role);
            }
        }
        Ok(users)
    }

    async fn set_password(&self, username: &str, password: &str) -> Result<(), AuthError> {
        check_password(password)?;
        let id = self.id_of(username).await?;
        let password = password.to_owned();
        let hash = run_password_job(move || hash_password(&password)).await??;
        sqlx::query("UPDATE numerous_users SET password_hash = $1, updated_at = $2 WHERE id = $3")
            .bind(hash)
            .bind(now())
            .bind(&id)
            .execute(self.ready().await?)
            .await
            .map_err(backend)?;
        // A new password signs the user out everywhere.
        self.revoke_user(&id).await
    }

    async fn set_active(&self, username: &str, active: bool) -> Result<(), AuthError> {
        let id = self.id_of(username).await?;
        sqlx::query("UPDATE numerous_users SET is_active = $1, updated_at = $2 WHERE id = $3")
            .bind(i64::from(active))
            .bind(now())
            .bind(&id)
            .execute(self.ready().await?)
            .await
            .map_err(backend)?;
        if !active {
            self.revoke_user(&id).await?;
        }
        Ok(())
    }
}
