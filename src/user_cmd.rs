//! `cms user`: the server's users, their roles per site and their API tokens, from the command
//! line (the first network admin is made here; the rest can be managed through the API).

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use db::{Db, Role, TokenScope};

/// Manage users, roles and API tokens.
#[derive(Args)]
pub struct UserArgs {
    #[command(subcommand)]
    command: UserCommand,
    #[command(flatten)]
    db: DbArgs,
}

/// Where the server's database is.
#[derive(Args)]
pub struct DbArgs {
    /// The database: `sqlite:PATH` or `postgres://USER@HOST:PORT/NAME`. Default: the SQLite
    /// file `cms.sqlite3` beside the output folder (`--out`), where `cms serve` keeps it.
    #[arg(long, env = "CMS_DATABASE_URL", global = true, hide_env_values = true)]
    database_url: Option<String>,
    /// The output folder of `cms serve --content` (for the default database).
    #[arg(long, default_value = "public", global = true)]
    out: PathBuf,
}

impl DbArgs {
    /// The database URL: the given one, or the SQLite file beside the output.
    pub fn url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite:{}", db::default_path(&self.out).display()),
        }
    }
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user (a random password is printed once unless --password-stdin).
    Add {
        /// Login name (lower-case letters, digits, `.`, `-`, `_`).
        login: String,
        /// Full name, the author of their commits.
        #[arg(long)]
        name: String,
        /// E-mail, the author e-mail of their commits.
        #[arg(long)]
        email: String,
        /// A role: `SITE:ROLE` (`cuc-duong-bo:editor`, `*:network_admin`); repeatable.
        #[arg(long = "role", value_name = "SITE:ROLE")]
        roles: Vec<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a user's password (a random one is printed once unless --password-stdin).
    Passwd {
        /// Login name.
        login: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Give a user a role on a site (replacing their role there), or take it away.
    Role {
        /// Login name.
        login: String,
        /// `SITE:ROLE` to grant, or `SITE` with --revoke.
        grant: String,
        /// Take away the user's role on that site.
        #[arg(long)]
        revoke: bool,
    },
    /// Remove a user; their sessions and tokens end at once.
    Remove {
        /// Login name.
        login: String,
    },
    /// List the users (of one site with --site).
    List {
        /// Only the users holding a role on this site.
        #[arg(long)]
        site: Option<String>,
    },
    /// Create an API token acting for a user, scoped to sites; the secret is printed once.
    Token {
        /// Login name of the user it acts for.
        login: String,
        /// A label (`ung-dung-di-dong`).
        #[arg(long)]
        name: String,
        /// A site it may act on (`*` for all); repeatable.
        #[arg(long = "site", value_name = "SITE", required = true)]
        sites: Vec<String>,
        /// Allow writes (saves, workflow); read-only without.
        #[arg(long)]
        write: bool,
        /// Expire after this many days.
        #[arg(long)]
        days: Option<u32>,
    },
}

/// Runs `cms user …`.
pub fn run(args: &UserArgs) -> Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    rt.block_on(async {
        let url = args.db.url();
        let db = Db::open(&url)
            .await
            .context("opening the server database")?;
        let result = command(&db, &args.command).await;
        db.close().await;
        result
    })
}

async fn command(db: &Db, command: &UserCommand) -> Result<()> {
    match command {
        UserCommand::Add {
            login,
            name,
            email,
            roles,
            password_stdin,
        } => {
            let grants = roles
                .iter()
                .map(|r| parse_grant(r))
                .collect::<Result<Vec<_>>>()?;
            let (password, generated) = password(*password_stdin)?;
            db.add_user(login, name, email, &password).await?;
            for (site, role) in grants {
                db.grant(login, &site, role).await?;
            }
            println!("Đã thêm người dùng {login} (user added)");
            print_generated(generated, &password);
        }
        UserCommand::Passwd {
            login,
            password_stdin,
        } => {
            let (password, generated) = password(*password_stdin)?;
            db.set_password(login, &password).await?;
            println!("Đã đổi mật khẩu của {login} (password changed; sessions ended)");
            print_generated(generated, &password);
        }
        UserCommand::Role {
            login,
            grant,
            revoke,
        } => role(db, login, grant, *revoke).await?,
        UserCommand::Remove { login } => {
            db.remove_user(login).await?;
            println!("Đã xoá người dùng {login} (user removed)");
        }
        UserCommand::List { site } => list(db, site.as_deref()).await?,
        UserCommand::Token {
            login,
            name,
            sites,
            write,
            days,
        } => {
            let scope = TokenScope {
                sites: sites.clone(),
                write: *write,
            };
            let expires = days.map(|d| now_secs() + i64::from(d) * 86_400);
            let (secret, info) = db.create_token(login, name, &scope, expires).await?;
            println!(
                "Mã truy cập #{} cho {login} (token created; shown once, keep it secret):",
                info.id
            );
            println!("{secret}");
        }
    }
    Ok(())
}

async fn role(db: &Db, login: &str, grant: &str, revoke: bool) -> Result<()> {
    let user = if revoke {
        if grant.contains(':') {
            bail!("--revoke takes a site alone ({grant:?}): cms user role {login} SITE --revoke");
        }
        db.revoke(login, grant).await?
    } else {
        let (site, role) = parse_grant(grant)?;
        db.grant(login, &site, role).await?
    };
    println!("{}", describe(&user));
    Ok(())
}

async fn list(db: &Db, site: Option<&str>) -> Result<()> {
    for user in db.users(site).await? {
        println!("{}", describe(&user));
    }
    Ok(())
}

/// One line per user: login, name, e-mail, roles.
fn describe(user: &db::User) -> String {
    let roles: Vec<String> = user
        .grants
        .iter()
        .map(|g| format!("{}:{}", g.site, g.role))
        .collect();
    format!(
        "{}\t{}\t{}\t{}",
        user.login,
        user.name,
        user.email,
        if roles.is_empty() {
            "-".to_owned()
        } else {
            roles.join(",")
        }
    )
}

/// `SITE:ROLE` → its parts, with a message naming the expected form.
fn parse_grant(text: &str) -> Result<(String, Role)> {
    let Some((site, role)) = text.rsplit_once(':') else {
        bail!(
            "--role {text:?}: expected SITE:ROLE, e.g. cuc-duong-bo:editor or *:network_admin \
             (roles: editor, approver, site_admin, network_admin)"
        );
    };
    let role: Role = role.parse().with_context(|| format!("--role {text:?}"))?;
    db::validate::site(site, true).with_context(|| format!("--role {text:?}"))?;
    if (site == "*") != (role == Role::NetworkAdmin) {
        bail!("--role {text:?}: network_admin goes with site * and only with it");
    }
    Ok((site.to_owned(), role))
}

/// The password from standard input, or a new random one (then `true`).
fn password(from_stdin: bool) -> Result<(String, bool)> {
    if !from_stdin {
        return Ok((db::random_password()?, true));
    }
    if std::io::stdin().is_terminal() {
        eprintln!("Mật khẩu (password), then Enter:");
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        bail!("--password-stdin: standard input held no password");
    }
    Ok((password, false))
}

/// Seconds since the epoch.
fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn print_generated(generated: bool, password: &str) {
    if generated {
        println!("Mật khẩu (password, shown once): {password}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grants_parse_and_refuse_bad_forms() {
        assert_eq!(
            parse_grant("cuc-duong-bo:editor").unwrap(),
            ("cuc-duong-bo".to_owned(), Role::Editor)
        );
        assert_eq!(
            parse_grant("*:network_admin").unwrap(),
            ("*".to_owned(), Role::NetworkAdmin)
        );
        for bad in [
            "editor",
            "x:boss",
            "*:editor",
            "x:network_admin",
            "../x:editor",
        ] {
            assert!(parse_grant(bad).is_err(), "{bad} accepted");
        }
    }
}
