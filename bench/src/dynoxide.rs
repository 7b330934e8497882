//! Where Dynoxide (a DynamoDB emulator in Rust on SQLite, crate
//! `dynoxide-rs`) comes from and how it is started: the strongest rival
//! measured beside ours and DynamoDB Local.
//!
//! It is installed the way DynamoDB Local is: on first use, pinned, into a
//! cache directory beside DynamoDB Local's, under a lock (`cargo install
//! --locked` into a staging root renamed into place), or taken from
//! `--dynoxide PATH`.

use crate::servers::{Launch, Target};
use std::path::{Path, PathBuf};
use std::process::Command;

pub const NAME: &str = "Dynoxide";
const CRATE: &str = "dynoxide-rs";
const VERSION: &str = "3.2.0";
const BINARY: &str = "dynoxide";

/// The installation's root (`bin/dynoxide` under it), beside DynamoDB Local's cache.
fn install_root() -> PathBuf {
    harness::dynamodb_local_dir().with_file_name(format!("dynoxide-{VERSION}"))
}

fn binary_in(root: &Path) -> PathBuf {
    root.join("bin").join(BINARY)
}

/// The Dynoxide binary: `explicit` if given, else the cached installation,
/// installed now if missing (minutes: it is compiled from crates.io).
pub fn binary(explicit: Option<&Path>) -> Result<PathBuf, String> {
    if let Some(path) = explicit {
        return if path.is_file() { Ok(path.to_path_buf()) } else { Err(format!("no Dynoxide at {}", path.display())) };
    }
    let root = install_root();
    if binary_in(&root).is_file() {
        return Ok(binary_in(&root));
    }
    let parent = root.parent().ok_or("Dynoxide's cache directory has no parent")?;
    std::fs::create_dir_all(parent).map_err(|e| format!("create {}: {e}", parent.display()))?;
    let lock_path = parent.join(format!("dynoxide-{VERSION}.lock"));
    let lock = std::fs::File::create(&lock_path).map_err(|e| format!("create {}: {e}", lock_path.display()))?;
    lock.lock().map_err(|e| format!("lock {}: {e}", lock_path.display()))?;
    if binary_in(&root).is_file() {
        return Ok(binary_in(&root));
    }
    let staging = parent.join(format!("dynoxide-{VERSION}.tmp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    eprintln!("[bench] installing {CRATE} {VERSION} into {} (first use: a few minutes)", root.display());
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args(["install", CRATE, "--version", VERSION, "--locked", "--quiet", "--root"])
        .arg(&staging)
        .output()
        .map_err(|e| format!("run cargo install: {e}"))?;
    if !output.status.success() || !binary_in(&staging).is_file() {
        let _ = std::fs::remove_dir_all(&staging);
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last: Vec<&str> = stderr.lines().rev().take(3).collect();
        return Err(format!("cargo install {CRATE} {VERSION} failed: {}", last.join(" / ")));
    }
    let _ = std::fs::remove_dir_all(&root);
    std::fs::rename(&staging, &root).map_err(|e| format!("rename into {}: {e}", root.display()))?;
    Ok(binary_in(&root))
}

/// Dynoxide in memory (its default without a database path).
pub fn target(binary: PathBuf) -> Target {
    Target {
        name: NAME.into(),
        launch: Launch::Command {
            program: binary,
            args: vec!["serve".into(), "--port".into(), "{port}".into()],
            dir: None,
        },
        heavy: false,
    }
}
