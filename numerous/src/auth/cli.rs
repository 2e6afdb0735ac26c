//! Managing users from the command line of any app binary: `my-app create-user ann --role
//! editor`, `list-users`, `show-user`, `update-user`, `delete-user`, `set-password`,
//! `deactivate`, `activate`, `import-users --from ..` (from a numerous-apps database). They act on the provider the
//! app is configured with (the database provider supports them all; the environment provider
//! lists its users only). `end-session ID --url .. --admin ..` acts on the running app instead,
//! through its administrators' route.

use std::io::{BufRead, IsTerminal, Write};

use super::{AuthError, AuthProvider, NewUser, UserChanges};

/// A user-management command.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum UserCommand {
    /// Create a user. The password is asked for on a terminal, else read from the first line
    /// of standard input.
    CreateUser {
        /// The new user's name.
        username: String,
        /// Make the user an administrator.
        #[arg(long)]
        admin: bool,
        /// Give the user a role (repeat for several).
        #[arg(long = "role")]
        roles: Vec<String>,
        /// The user's email address.
        #[arg(long)]
        email: Option<String>,
    },
    /// List the users.
    ListUsers,
    /// Set a user's password (asked for, or read from standard input).
    SetPassword {
        /// Whose password.
        username: String,
    },
    /// Deactivate a user: no more sign-ins, and signed out at the next token refresh.
    Deactivate {
        /// Who.
        username: String,
    },
    /// Activate a deactivated user.
    Activate {
        /// Who.
        username: String,
    },
    /// Show one user: id, email, admin and active flags, roles.
    ShowUser {
        /// Who.
        username: String,
    },
    /// Change a user's email, admin flag or roles (only what is given).
    UpdateUser {
        /// Who.
        username: String,
        /// A new email address.
        #[arg(long, conflicts_with = "no_email")]
        email: Option<String>,
        /// Remove the email address.
        #[arg(long)]
        no_email: bool,
        /// Make the user an administrator.
        #[arg(long, conflicts_with = "not_admin")]
        admin: bool,
        /// Make the user an ordinary user.
        #[arg(long)]
        not_admin: bool,
        /// The user's roles, replacing theirs (repeat for several).
        #[arg(long = "role", conflicts_with = "no_roles")]
        roles: Vec<String>,
        /// Take every role away.
        #[arg(long)]
        no_roles: bool,
    },
    /// Delete a user (their refresh tokens too: signed out at their next token refresh).
    DeleteUser {
        /// Who.
        username: String,
    },
    /// End one session of the running app at once: its tabs are told and start a new session.
    /// Signs in as the administrator `--admin` (the password is asked for on a terminal, else
    /// read from the first line of standard input) at each `--url` in turn, until the instance
    /// that runs the session ends it.
    EndSession {
        /// The session's id (`GET <prefix>/api/admin/sessions` lists them).
        id: String,
        /// Where the app listens, with its prefix: `http://127.0.0.1:8000` (plain HTTP, as an
        /// instance behind its proxy does; repeat for each instance).
        #[arg(long = "url", required = true)]
        urls: Vec<String>,
        /// The administrator to sign in as.
        #[arg(long)]
        admin: String,
    },
    /// Copy the users of a numerous-apps database (SQLite or PostgreSQL) into this app's:
    /// names, emails, admin and active flags, roles and their bcrypt passwords, which become
    /// argon2 at each user's first sign-in. Users whose name or email exist here are skipped.
    ImportUsers {
        /// The numerous-apps database: `sqlite://app_auth.db`, `postgres://user:pw@host/db`.
        #[arg(long)]
        from: String,
    },
}

/// Runs `command` against `provider`, writing what it did to `out`.
pub async fn run(
    command: &UserCommand,
    provider: &dyn AuthProvider,
    out: &mut (dyn Write + Send),
) -> Result<(), AuthError> {
    let io = |e: std::io::Error| AuthError::Backend(e.to_string());
    match command {
        UserCommand::CreateUser {
            username,
            admin,
            roles,
            email,
        } => {
            let mut new = NewUser::new(username, read_password()?)
                .roles(roles.iter().cloned())
                .admin(*admin);
            new.email = email.clone();
            new.validate()?;
            let user = provider.create_user(new).await?;
            writeln!(out, "created user `{}` (id {})", user.username, user.id).map_err(io)?;
        }
        UserCommand::ListUsers => {
            let users = provider.list_users().await?;
            writeln!(
                out,
                "{:<24} {:<6} {:<7} ROLES",
                "USERNAME", "ADMIN", "ACTIVE"
            )
            .map_err(io)?;
            for u in users {
                writeln!(
                    out,
                    "{:<24} {:<6} {:<7} {}",
                    u.username,
                    if u.is_admin { "yes" } else { "no" },
                    if u.is_active { "yes" } else { "no" },
                    u.roles.join(",")
                )
                .map_err(io)?;
            }
        }
        UserCommand::SetPassword { username } => {
            let password = read_password()?;
            super::check_password(&password)?;
            provider.set_password(username, &password).await?;
            writeln!(out, "set the password of `{username}`").map_err(io)?;
        }
        UserCommand::Deactivate { username } => {
            provider.set_active(username, false).await?;
            writeln!(out, "deactivated `{username}`").map_err(io)?;
        }
        UserCommand::Activate { username } => {
            provider.set_active(username, true).await?;
            writeln!(out, "activated `{username}`").map_err(io)?;
        }
        UserCommand::ShowUser { username } => {
            let user = provider
                .user_by_name(username)
                .await?
                .ok_or_else(|| AuthError::UserNotFound(username.clone()))?;
            write_user(out, &user).map_err(io)?;
        }
        UserCommand::UpdateUser {
            username,
            email,
            no_email,
            admin,
            not_admin,
            roles,
            no_roles,
        } => {
            let mut changes = UserChanges::new();
            if let Some(email) = email {
                changes = changes.email(Some(email.clone()));
            } else if *no_email {
                changes = changes.email(None::<String>);
            }
            if *admin || *not_admin {
                changes = changes.admin(*admin);
            }
            if !roles.is_empty() || *no_roles {
                changes = changes.roles(roles.iter().cloned());
            }
            if changes == UserChanges::new() {
                return Err(AuthError::Invalid(
                    "nothing to change: give --email, --no-email, --admin, --not-admin, --role or --no-roles".into(),
                ));
            }
            let user = provider.update_user(username, changes).await?;
            write_user(out, &user).map_err(io)?;
        }
        UserCommand::DeleteUser { username } => {
            provider.delete_user(username).await?;
            writeln!(out, "deleted `{username}`").map_err(io)?;
        }
        UserCommand::EndSession { id, urls, admin } => {
            let password = read_secret()?;
            let base = super::remote::end_session(id, urls, admin, &password).await?;
            // Not the id: it is a secret.
            writeln!(out, "ended the session at {base}").map_err(io)?;
        }
        UserCommand::ImportUsers { from } => {
            let report = provider.import_numerous_apps(from).await?;
            for name in &report.imported {
                writeln!(out, "imported `{name}`").map_err(io)?;
            }
            for name in &report.skipped {
                writeln!(out, "skipped `{name}`: a user of that name or email exists")
                    .map_err(io)?;
            }
            writeln!(
                out,
                "{} users imported, {} skipped",
                report.imported.len(),
                report.skipped.len()
            )
            .map_err(io)?;
        }
    }
    Ok(())
}

/// One user, a field a line.
fn write_user(out: &mut (dyn Write + Send), user: &super::User) -> std::io::Result<()> {
    writeln!(out, "username: {}", user.username)?;
    writeln!(out, "id:       {}", user.id)?;
    writeln!(out, "email:    {}", user.email.as_deref().unwrap_or("-"))?;
    writeln!(
        out,
        "admin:    {}",
        if user.is_admin { "yes" } else { "no" }
    )?;
    writeln!(
        out,
        "active:   {}",
        if user.is_active { "yes" } else { "no" }
    )?;
    writeln!(out, "roles:    {}", user.roles.join(","))
}

/// A password: asked for twice on a terminal, else the first line of standard input.
/// A password to sign in with: asked for once on a terminal, else the first line of standard
/// input.
fn read_secret() -> Result<String, AuthError> {
    let io = |e: std::io::Error| AuthError::Backend(format!("reading the password: {e}"));
    if std::io::stdin().is_terminal() {
        return rpassword::prompt_password("Password: ").map_err(io);
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(io)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

fn read_password() -> Result<String, AuthError> {
    let io = |e: std::io::Error| AuthError::Backend(format!("reading the password: {e}"));
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ").map_err(io)?;
        let again = rpassword::prompt_password("Again: ").map_err(io)?;
        if first != again {
            return Err(AuthError::Invalid("the passwords differ".into()));
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map_err(io)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }
}
