//! The emulator's modules form layers that only point down (ARCHITECTURE.md,
//! "Layers"): a module may use the modules listed before it, never those
//! after it. This test reads every source file and fails on an upward use,
//! which is also what rules out import cycles between modules.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Bottom to top. Keep in step with ARCHITECTURE.md.
const LAYERS: &[&str] = &[
    "error",
    "clock",
    "types",
    "operation",
    "input",
    "expr",
    "storage",
    "partiql",
    "faults",
    "auth",
    "state",
    "ops",
    "fixtures",
    "seed",
    "durable",
    "protocol",
    "tls",
    "server",
    "remote",
];

/// Items the crate root re-exports, by the module that defines them.
const ROOT_EXPORTS: &[(&str, &str)] = &[
    ("ApiError", "error"),
    ("ApiResult", "error"),
    ("ErrorKind", "error"),
    ("Operation", "operation"),
    ("dispatch", "ops"),
    ("State", "state"),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a source file belongs to (`None`: the crate root or the binary).
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let relative = file.strip_prefix(src).unwrap();
    let first = relative.components().next()?.as_os_str().to_str()?.to_string();
    let name = first.strip_suffix(".rs").unwrap_or(&first).to_string();
    (!matches!(name.as_str(), "lib" | "main")).then_some(name)
}

/// Every `crate::name` a file refers to, outside comments.
fn crate_references(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if !name.is_empty() {
                found.push(name);
            }
        }
    }
    found
}

#[test]
fn modules_only_use_the_layers_below_them() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let layer = |m: &str| LAYERS.iter().position(|l| *l == m);
    let mut upward: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for file in &files {
        let Some(module) = module_of(&src, file) else { continue };
        let Some(own) = layer(&module) else { panic!("module {module} is missing from LAYERS and ARCHITECTURE.md") };
        for reference in crate_references(&std::fs::read_to_string(file).unwrap()) {
            let target = ROOT_EXPORTS.iter().find(|(item, _)| *item == reference).map_or(reference.as_str(), |e| e.1);
            let Some(theirs) = layer(target) else { panic!("{}: crate::{reference} is in no layer", file.display()) };
            if theirs > own {
                upward.entry((module.clone(), target.to_string())).or_default().push(file.display().to_string());
            }
        }
    }
    assert!(upward.is_empty(), "modules using a layer above them (module, used): {upward:#?}");
}

#[test]
fn the_checker_sees_references_and_skips_comments() {
    let text = "use crate::state::State; // crate::server\n/// see crate::protocol\nlet x = crate::ops::dispatch;";
    assert_eq!(crate_references(text), ["state", "ops"]);
}
