//! Managing users from the command line of any app binary: `my-app create-user ann --role
//! editor`, `list-users`, `set-password`, `deactivate`, `activate`, `import-users --from ..`
//! (from a numerous-apps database). They act on the provider the
//! app is configured with (the database provider supports them all; the environment provider
//! lists its users only).

use std::io::{BufRead, IsTerminal, Write};

use super::{AuthError, AuthProvider, NewUser};

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

/// A password: asked for twice on a terminal, else the first line of standard input.
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
