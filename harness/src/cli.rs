//! The AWS CLI as a client under test: installed from PyPI (a pinned
//! `awscli` v1, pure Python on the machine's CPython) into the same cache as
//! DynamoDB Local, under a lock file, on first use; run as `python3 -m awscli`
//! against an endpoint with the harness's credentials. Other Python clients
//! (boto3) install the same way ([`python_package`]).

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The pinned CLI release (botocore's DynamoDB model comes with it).
const AWSCLI_VERSION: &str = "1.45.64";

/// An installed AWS CLI.
#[derive(Clone, Debug)]
pub struct AwsCli {
    site: PathBuf,
}

/// The AWS CLI, installing it on first use. `None` (after saying why) when it
/// cannot be installed on a developer machine; with `CI=true`, a panic.
pub fn aws_cli() -> Option<AwsCli> {
    python_package("awscli", AWSCLI_VERSION).map(|site| AwsCli { site })
}

impl AwsCli {
    /// The directory to put on `PYTHONPATH` for `python3 -m awscli` (and its botocore).
    pub fn python_path(&self) -> &Path {
        &self.site
    }

    /// Runs `aws <args> --endpoint-url <endpoint> --output json` with the
    /// harness's credentials: the parsed JSON it prints (`Null` for no
    /// output), or its error output.
    pub fn run(&self, endpoint: &str, args: &[&str]) -> Result<Value, String> {
        self.run_as(endpoint, args, crate::ACCESS_KEY, crate::SECRET_KEY)
    }

    /// [`Self::run`] signing with other credentials.
    pub fn run_as(&self, endpoint: &str, args: &[&str], access_key: &str, secret_key: &str) -> Result<Value, String> {
        let output = Command::new("python3")
            .args(["-m", "awscli"])
            .args(args)
            .args(["--endpoint-url", endpoint, "--output", "json"])
            .env("PYTHONPATH", &self.site)
            .env("AWS_ACCESS_KEY_ID", access_key)
            .env("AWS_SECRET_ACCESS_KEY", secret_key)
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_SESSION_TOKEN")
            .env_remove("AWS_ENDPOINT_URL")
            .output()
            .map_err(|e| format!("run python3 -m awscli: {e}"))?;
        if !output.status.success() {
            return Err(String::from_utf8_lossy(&output.stderr).trim().to_string());
        }
        let text = String::from_utf8_lossy(&output.stdout);
        if text.trim().is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_str(&text).map_err(|e| format!("CLI output is not JSON ({e}): {text}"))
    }
}

/// A Python package pinned to `version`, installed from PyPI on first use
/// (as the AWS CLI is: into the harness's cache, under a lock): the directory
/// to put on `PYTHONPATH`. `None` (after saying why) when it cannot be
/// installed on a developer machine; with `CI=true`, a panic.
pub fn python_package(name: &str, version: &str) -> Option<PathBuf> {
    match install(name, version) {
        Ok(site) => Some(site),
        Err(e) if crate::oracle::running_in_ci() => panic!("{name} is required in CI but unavailable: {e}"),
        Err(e) => {
            eprintln!("skipping: {name} is unavailable: {e}");
            None
        }
    }
}

fn is_installed(site: &Path, name: &str) -> bool {
    site.join(name).join("__init__.py").is_file()
}

/// `pip install --target` into a staging directory renamed into place, under
/// a lock so parallel test binaries install once.
fn install(name: &str, version: &str) -> Result<PathBuf, String> {
    let site = crate::oracle::install_dir().with_file_name(format!("{name}-{version}"));
    if is_installed(&site, name) {
        return Ok(site);
    }
    let parent = site.parent().ok_or("install directory has no parent")?;
    std::fs::create_dir_all(parent).map_err(|e| format!("create {}: {e}", parent.display()))?;
    let lock_path = parent.join(format!("{name}-{version}.lock"));
    let lock = std::fs::File::create(&lock_path).map_err(|e| format!("create {}: {e}", lock_path.display()))?;
    lock.lock().map_err(|e| format!("lock {}: {e}", lock_path.display()))?;
    if is_installed(&site, name) {
        return Ok(site);
    }
    let staging = parent.join(format!("{name}-{version}.tmp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    let output = Command::new("python3")
        .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-input", "--target"])
        .arg(&staging)
        .arg(format!("{name}=={version}"))
        .output()
        .map_err(|e| format!("run pip: {e}"))?;
    if !output.status.success() {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(format!("pip install {name}: {}", String::from_utf8_lossy(&output.stderr).trim()));
    }
    let _ = std::fs::remove_dir_all(&site);
    std::fs::rename(&staging, &site).map_err(|e| format!("rename into {}: {e}", site.display()))?;
    Ok(site)
}
