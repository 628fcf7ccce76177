//! `cms user …` end to end: the binary against a fresh SQLite file and a real PostgreSQL
//! server, and the logins it makes work through the `db` crate.

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr};
use std::process::{Command, Output, Stdio};

const PASSWORD: &str = "mat-khau-rat-dai-2026";
const CLIENT: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

/// Runs `cms user ARGS --database-url URL` with `stdin` as its input.
fn cms_user(url: &str, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cms"))
        .arg("user")
        .args(args)
        .args(["--database-url", url])
        .env_remove("CMS_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cms runs");
    child
        .stdin
        .take()
        .expect("stdin piped")
        .write_all(stdin.as_bytes())
        .expect("stdin written");
    child.wait_with_output().expect("cms ends")
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "cms user failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn refused(out: &Output, needle: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "accepted; stderr: {err}");
    assert!(err.contains(needle), "expected {needle:?} in: {err}");
}

async fn can_log_in(url: &str, login: &str, password: &str) -> bool {
    let db = db::Db::open(url).await.expect("db opens");
    let ok = db
        .login(login, password, CLIENT)
        .await
        .expect("login query")
        .is_ok();
    db.close().await;
    ok
}

async fn lifecycle(url: &str) {
    let added = cms_user(
        url,
        &[
            "add",
            "bientap",
            "--name",
            "Nguyễn Văn An",
            "--email",
            "an@example.invalid",
            "--role",
            "cuc-duong-bo:editor",
            "--password-stdin",
        ],
        &format!("{PASSWORD}\n"),
    );
    assert!(ok(&added).contains("bientap"));
    assert!(can_log_in(url, "bientap", PASSWORD).await);

    // Without --password-stdin a random password is printed once, and it works.
    let out = ok(&cms_user(
        url,
        &[
            "add",
            "quantri",
            "--name",
            "Trần Bình",
            "--email",
            "b@example.invalid",
        ],
        "",
    ));
    let generated = out
        .lines()
        .find_map(|l| l.strip_prefix("Mật khẩu (password, shown once): "))
        .expect("password printed");
    assert!(can_log_in(url, "quantri", generated).await);
    ok(&cms_user(url, &["role", "quantri", "*:network_admin"], ""));
    ok(&cms_user(
        url,
        &["role", "bientap", "cuc-hang-hai:approver"],
        "",
    ));

    let list = ok(&cms_user(url, &["list"], ""));
    assert!(
        list.contains(
            "bientap\tNguyễn Văn An\tan@example.invalid\tcuc-duong-bo:editor,cuc-hang-hai:approver"
        ),
        "{list}"
    );
    assert!(
        list.contains("quantri\tTrần Bình\tb@example.invalid\t*:network_admin"),
        "{list}"
    );
    let site = ok(&cms_user(url, &["list", "--site", "cuc-hang-hai"], ""));
    assert!(
        site.contains("bientap") && !site.contains("quantri"),
        "{site}"
    );

    ok(&cms_user(
        url,
        &["role", "bientap", "cuc-hang-hai", "--revoke"],
        "",
    ));
    let list = ok(&cms_user(url, &["list", "--site", "cuc-hang-hai"], ""));
    assert!(!list.contains("bientap"), "{list}");

    // A token: its secret is printed once, and it is found by that secret alone.
    let out = ok(&cms_user(
        url,
        &[
            "token",
            "bientap",
            "--name",
            "ung-dung",
            "--site",
            "cuc-duong-bo",
        ],
        "",
    ));
    let secret = out.lines().last().expect("secret line").trim().to_owned();
    assert!(secret.starts_with("cms_"), "{out}");
    let db = db::Db::open(url).await.expect("db opens");
    let info = db
        .token(&secret)
        .await
        .expect("query")
        .expect("token found");
    assert_eq!(info.scope.sites, ["cuc-duong-bo"]);
    assert!(!info.scope.write);
    db.close().await;

    ok(&cms_user(
        url,
        &["passwd", "bientap", "--password-stdin"],
        "mat-khau-moi-cung-dai\n",
    ));
    assert!(!can_log_in(url, "bientap", PASSWORD).await);
    assert!(can_log_in(url, "bientap", "mat-khau-moi-cung-dai").await);

    ok(&cms_user(url, &["remove", "bientap"], ""));
    assert!(!can_log_in(url, "bientap", "mat-khau-moi-cung-dai").await);
    let db = db::Db::open(url).await.expect("db opens");
    assert!(
        db.token(&secret).await.expect("query").is_none(),
        "token outlived its user"
    );
    db.close().await;
}

async fn bad_input(url: &str) {
    let add = |login: &str, role: &str, password: &str| {
        cms_user(
            url,
            &[
                "add",
                login,
                "--name",
                "Lê C",
                "--email",
                "c@example.invalid",
                "--role",
                role,
                "--password-stdin",
            ],
            password,
        )
    };
    refused(&add("lec", "cuc-duong-bo:boss", PASSWORD), "vai trò");
    refused(&add("lec", "cuc-duong-bo", PASSWORD), "expected SITE:ROLE");
    refused(
        &add("lec", "*:editor", PASSWORD),
        "network_admin goes with site *",
    );
    refused(&add("lec", "cuc-duong-bo:editor", "ngan\n"), "password");
    refused(
        &add("lec", "cuc-duong-bo:editor", ""),
        "standard input held no password",
    );
    refused(&add("Lê C", "cuc-duong-bo:editor", PASSWORD), "login");
    ok(&add("lec", "cuc-duong-bo:editor", PASSWORD));
    refused(
        &add("lec", "cuc-duong-bo:editor", PASSWORD),
        "already exists",
    );
    refused(&cms_user(url, &["remove", "khongco"], ""), "does not exist");
    refused(
        &cms_user(url, &["role", "lec", "cuc-duong-bo:editor", "--revoke"], ""),
        "--revoke takes a site alone",
    );
    // Nothing half-made: the refused adds left one user.
    let list = ok(&cms_user(url, &["list"], ""));
    assert_eq!(list.lines().count(), 1, "{list}");
}

#[tokio::test(flavor = "multi_thread")]
async fn users_roles_and_tokens_from_the_command_line_on_sqlite_and_postgresql() {
    for backend in db::testing::backends().await {
        lifecycle(&backend.url).await;
    }
    for backend in db::testing::backends().await {
        bad_input(&backend.url).await;
    }
}

#[test]
fn the_default_database_is_beside_the_output() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("public");
    let run = Command::new(env!("CARGO_BIN_EXE_cms"))
        .args(["user", "list", "--out"])
        .arg(&out)
        .env_remove("CMS_DATABASE_URL")
        .output()
        .expect("cms runs");
    ok(&run);
    assert!(
        dir.path().join("cms.sqlite3").is_file(),
        "no cms.sqlite3 beside {out:?}"
    );
}
