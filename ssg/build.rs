//! Embeds the default theme (`../themes/default`) so the binary builds any content repository
//! without a theme folder beside it.

use std::fmt::Write;
use std::path::{Path, PathBuf};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else if p.is_file() {
            out.push(p);
        }
    }
}

fn main() {
    let manifest =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR")); // ok: a build script; cargo shows the failure
    let theme = manifest.join("../themes/default");
    println!("cargo:rerun-if-changed={}", theme.display());
    let mut files = Vec::new();
    walk(&theme, &mut files);
    let mut code = String::from("/// The default theme's files: (path relative to the theme, bytes).\npub(crate) static EMBEDDED_THEME: &[(&str, &[u8])] = &[\n");
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let rel = f
            .strip_prefix(&theme)
            .expect("walked under theme") // ok: a build script; cargo shows the failure
            .to_string_lossy()
            .replace('\\', "/");
        let abs = f.canonicalize().expect("file exists"); // ok: a build script; cargo shows the failure
        writeln!(
            code,
            "    ({rel:?}, include_bytes!({:?})),",
            abs.display().to_string()
        )
        .expect("write to string"); // ok: a build script; cargo shows the failure
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")) // ok: a build script; cargo shows the failure
        .join("embedded_theme.rs");
    std::fs::write(out, code).expect("write embedded_theme.rs"); // ok: a build script; cargo shows the failure
}
