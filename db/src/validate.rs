//! Checks of the values stored: login names, e-mails, names, site ids, passwords, token names.
//! Each refusal says what is wrong and what to do, in Vietnamese first.

use crate::DbError;

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// The longest password accepted (argon2 would take any, but a megabyte of it is an attack).
const MAX_PASSWORD_BYTES: usize = 1024;

fn invalid(field: &'static str, message: impl Into<String>) -> DbError {
    DbError::Invalid {
        field,
        message: message.into(),
    }
}

/// A login name: 1 to 64 of `a-z`, `0-9`, `.`, `-`, `_`, starting with a letter or a digit.
pub fn login(login: &str) -> Result<(), DbError> {
    let ok_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c);
    let starts_ok = login
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if login.len() > 64 || !starts_ok || !login.chars().all(ok_char) {
        return Err(invalid(
            "login",
            format!(
                "tên đăng nhập {login:?} không hợp lệ: dùng 1–64 ký tự a-z, 0-9, '.', '-', '_', \
                 bắt đầu bằng chữ hoặc số (invalid login name: use 1-64 of a-z 0-9 . - _, \
                 starting with a letter or digit)"
            ),
        ));
    }
    Ok(())
}

/// An e-mail address: `local@domain.tld`, no spaces, at most 254 bytes.
pub fn email(email: &str) -> Result<(), DbError> {
    let shape_ok = email.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
    });
    if email.len() > 254 || !shape_ok || email.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(invalid(
            "email",
            format!(
                "địa chỉ e-mail {email:?} không hợp lệ: cần dạng ten@co-quan.gov.vn \
                 (invalid e-mail address)"
            ),
        ));
    }
    Ok(())
}

/// A full name: not blank, at most 200 characters, no line breaks or control characters (it
/// becomes a commit's author).
pub fn name(name: &str) -> Result<(), DbError> {
    if name.trim().is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(invalid(
            "name",
            "họ tên không được để trống, tối đa 200 ký tự, một dòng (the name must be one \
             non-blank line of at most 200 characters)",
        ));
    }
    Ok(())
}

/// A site id: `[a-z0-9-]+`, at most 64 bytes; `*` (the network) only where `star` allows it.
pub fn site(site: &str, star: bool) -> Result<(), DbError> {
    if star && site == "*" {
        return Ok(());
    }
    let ok = !site.is_empty()
        && site.len() <= 64
        && site
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !ok {
        return Err(invalid(
            "site",
            format!(
                "mã trang {site:?} không hợp lệ: chỉ dùng a-z, 0-9 và '-' (invalid site id: use \
                 a-z, 0-9 and '-'{})",
                if star { ", or * for the network" } else { "" }
            ),
        ));
    }
    Ok(())
}

/// A password: at least [`MIN_PASSWORD_CHARS`] characters, not the login name itself.
pub fn password(login: &str, password: &str) -> Result<(), DbError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(invalid(
            "password",
            format!(
                "mật khẩu quá ngắn: cần ít nhất {MIN_PASSWORD_CHARS} ký tự (password too short: \
                 at least {MIN_PASSWORD_CHARS} characters)"
            ),
        ));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(invalid(
            "password",
            format!("mật khẩu quá dài (password longer than {MAX_PASSWORD_BYTES} bytes)"),
        ));
    }
    if password.trim().eq_ignore_ascii_case(login) {
        return Err(invalid(
            "password",
            "mật khẩu không được trùng tên đăng nhập (the password must not be the login name)",
        ));
    }
    Ok(())
}

/// An API token's label: one non-blank line of at most 100 characters.
pub fn token_name(name: &str) -> Result<(), DbError> {
    if name.trim().is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(invalid(
            "name",
            "tên mã truy cập không được để trống, tối đa 100 ký tự (the token name must be one \
             non-blank line of at most 100 characters)",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins() {
        for ok in ["an", "nguyen.van-an_2", "7"] {
            login(ok).unwrap();
        }
        for bad in [
            "",
            "An",
            "-an",
            ".an",
            "an b",
            "an/b",
            "an@x",
            "ă",
            &"a".repeat(65),
        ] {
            assert!(login(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn emails() {
        email("an@bo-gtvt.gov.vn").unwrap();
        for bad in [
            "",
            "an",
            "an@",
            "@x.vn",
            "an@x",
            "an@@x.vn",
            "an b@x.vn",
            "an@x.vn.",
        ] {
            assert!(email(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn sites_and_names() {
        site("bo-gtvt", false).unwrap();
        site("*", true).unwrap();
        for bad in ["*", "", "Bo", "a_b", "../x", "a/b"] {
            assert!(site(bad, false).is_err(), "{bad:?}");
        }
        name("Nguyễn Văn An").unwrap();
        assert!(name("  ").is_err());
        assert!(name("a\nb").is_err());
        token_name("ung-dung-di-dong").unwrap();
        assert!(token_name("").is_err());
    }

    #[test]
    fn passwords() {
        password("an", "đủ mười ký tự rồi").unwrap();
        let e = password("an", "ngắn").unwrap_err().to_string();
        assert!(e.starts_with("password: ") && e.contains("10"), "{e}");
        assert!(password("nguyen.van.an", "nguyen.van.an").is_err());
        assert!(password("an", &"x".repeat(2000)).is_err());
    }
}
