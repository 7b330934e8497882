//! The access keys the emulator accepts: given on the command line
//! (`--access-key`/`--secret-key`) or read from an AWS shared-credentials
//! file (`--credentials FILE`), the INI format of `~/.aws/credentials`:
//!
//! ```ini
//! [default]
//! aws_access_key_id = AKIDEXAMPLE
//! aws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
//! # optional: requests must then carry this x-amz-security-token
//! aws_session_token = ...
//! # optional: the account the key belongs to
//! aws_account_id = 111122223333
//!
//! [ci]
//! aws_access_key_id = AKIDCI
//! aws_secret_access_key = ci-secret
//! ```
//!
//! Every profile with an access key id is one accepted key; `#` and `;`
//! start comments.

use std::collections::HashMap;
use std::path::Path;

/// One access key's secret, and what may come with it.
#[derive(Clone, PartialEq, Eq)]
pub struct Credential {
    pub secret_key: String,
    /// When set, requests signed with this key must carry this session
    /// token; otherwise any token (or none) is accepted.
    pub session_token: Option<String>,
    /// The account the key belongs to (for ARNs), when configured.
    pub account_id: Option<String>,
}

impl Credential {
    pub fn new(secret_key: impl Into<String>) -> Credential {
        Credential { secret_key: secret_key.into(), session_token: None, account_id: None }
    }
}

/// The accepted access keys, by access key id.
#[derive(Clone, Default)]
pub struct Credentials {
    keys: HashMap<String, Credential>,
}

// Secrets stay out of logs and test failure output.
impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut ids: Vec<&String> = self.keys.keys().collect();
        ids.sort();
        f.debug_struct("Credentials").field("access_keys", &ids).finish()
    }
}

impl Credentials {
    /// One access key with its secret.
    pub fn single(access_key: impl Into<String>, secret_key: impl Into<String>) -> Credentials {
        let mut credentials = Credentials::default();
        credentials.insert(access_key, Credential::new(secret_key));
        credentials
    }

    pub fn insert(&mut self, access_key: impl Into<String>, credential: Credential) {
        self.keys.insert(access_key.into(), credential);
    }

    pub fn get(&self, access_key: &str) -> Option<&Credential> {
        self.keys.get(access_key)
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Reads an AWS shared-credentials file (see the module documentation).
    pub fn load(path: &Path) -> Result<Credentials, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Credentials::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Parses the shared-credentials INI text.
    pub fn parse(text: &str) -> Result<Credentials, String> {
        let mut profiles: Vec<(String, HashMap<String, String>)> = Vec::new();
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
                continue;
            }
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                profiles.push((name.trim().to_string(), HashMap::new()));
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                return Err(format!("line {}: expected `name = value` or `[profile]`", number + 1));
            };
            let Some((_, settings)) = profiles.last_mut() else {
                return Err(format!("line {}: a setting before the first [profile]", number + 1));
            };
            settings.insert(key.trim().to_ascii_lowercase(), value.trim().to_string());
        }
        let mut credentials = Credentials::default();
        for (profile, mut settings) in profiles {
            let Some(access_key) = settings.remove("aws_access_key_id") else { continue };
            let secret_key = settings
                .remove("aws_secret_access_key")
                .ok_or_else(|| format!("profile [{profile}] has aws_access_key_id but no aws_secret_access_key"))?;
            let account_id = settings.remove("aws_account_id").or_else(|| settings.remove("account_id"));
            let credential = Credential { secret_key, session_token: settings.remove("aws_session_token"), account_id };
            credentials.insert(access_key, credential);
        }
        if credentials.is_empty() {
            return Err("no profile with aws_access_key_id and aws_secret_access_key".into());
        }
        Ok(credentials)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_profiles_of_a_shared_credentials_file() {
        let text = "# comment\n[default]\naws_access_key_id = AKID1\naws_secret_access_key = s1\n\n\
                    [profile ci]\n; comment\naws_access_key_id=AKID2\naws_secret_access_key=s2/+=\n\
                    aws_session_token = tok\naws_account_id = 111122223333\n[config-only]\nregion = eu-west-1\n";
        let credentials = Credentials::parse(text).unwrap();
        assert_eq!(credentials.get("AKID1").unwrap().secret_key, "s1");
        let second = credentials.get("AKID2").unwrap();
        assert_eq!(second.secret_key, "s2/+=");
        assert_eq!(second.session_token.as_deref(), Some("tok"));
        assert_eq!(second.account_id.as_deref(), Some("111122223333"));
        assert!(credentials.get("AKID3").is_none());
        assert!(!format!("{credentials:?}").contains("s1"), "Debug hides secrets");
    }

    #[test]
    fn refuses_files_without_usable_keys() {
        assert!(Credentials::parse("[a]\naws_access_key_id = X\n").unwrap_err().contains("[a]"));
        assert!(Credentials::parse("[a]\nregion = x\n").is_err());
        assert!(Credentials::parse("aws_access_key_id = X\n").unwrap_err().contains("line 1"));
        assert!(Credentials::parse("[a]\nnonsense\n").unwrap_err().contains("line 2"));
    }
}
