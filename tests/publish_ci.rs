//! The CI workflows of `scripts/ci/` parse as YAML and hold the steps that publishing needs:
//! on a push to the published branch, build that commit incrementally (cache of the output and
//! its builds), check, publish, purge; on a merge request, build, check and list the changed
//! pages without publishing.

mod publish_common;

use publish_common::repo_root;
use serde_yaml_ng::Value;

fn load(name: &str) -> Value {
    let path = repo_root().join("scripts/ci").join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every `run`/`script` line under `v`, joined.
fn scripts(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Sequence(items) => items.iter().map(scripts).collect::<Vec<_>>().join("\n"),
        Value::Mapping(m) => m
            .iter()
            .filter(|(k, _)| {
                matches!(
                    k.as_str(),
                    Some("run" | "script" | "steps" | "with" | "path")
                )
            })
            .map(|(_, v)| scripts(v))
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

fn assert_has(text: &str, what: &[&str], which: &str) {
    for w in what {
        assert!(text.contains(w), "{which}: no `{w}` in:\n{text}");
    }
}

#[test]
fn the_github_workflow_publishes_pushes_and_lists_pull_requests() {
    let w = load("github-actions.yml");
    assert!(w["on"]["push"]["branches"]
        .as_sequence()
        .is_some_and(|b| !b.is_empty()));
    assert!(w["on"]["pull_request"].is_mapping());
    assert!(
        w["concurrency"]["group"].is_string(),
        "publishes must not overlap"
    );
    let steps = w["jobs"]["build-and-publish"]["steps"]
        .as_sequence()
        .unwrap();
    let step = |needle: &str| {
        steps
            .iter()
            .find(|s| scripts(s).contains(needle))
            .unwrap_or_else(|| panic!("no step runs {needle}"))
    };
    let cache = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/cache"))
        })
        .unwrap();
    assert_has(
        cache["with"]["path"].as_str().unwrap(),
        &["public", ".public.builds"],
        "cache",
    );
    assert_has(&scripts(step("cms build")), &["--rev"], "build");
    step("cms check");
    let publish = step("publish \"${args[@]}\"");
    assert_eq!(publish["if"].as_str(), Some("github.event_name == 'push'"));
    assert_has(&scripts(publish), &["--purge-url", "--rev"], "publish");
    let dry = step("--dry-run --json");
    assert_eq!(
        dry["if"].as_str(),
        Some("github.event_name == 'pull_request'")
    );
    assert_has(&scripts(dry), &["GITHUB_STEP_SUMMARY"], "changed pages");
}

#[test]
fn the_gitlab_pipeline_publishes_the_default_branch_and_lists_merge_requests() {
    let p = load("gitlab-ci.yml");
    assert_has(
        &scripts(&p["cache"]["paths"]),
        &["public", ".public.builds"],
        "cache",
    );
    let publish = &p["publish"];
    assert!(
        publish["resource_group"].is_string(),
        "publishes must not overlap"
    );
    let rule = publish["rules"][0]["if"].as_str().unwrap();
    assert_has(rule, &["$CI_DEFAULT_BRANCH", "push"], "publish rule");
    assert_has(
        &scripts(publish),
        &[
            "cms build",
            "--rev",
            "cms check",
            "cms publish",
            "--purge-url",
        ],
        "publish",
    );
    let mr = &p["changed-pages"];
    assert_has(
        mr["rules"][0]["if"].as_str().unwrap(),
        &["merge_request_event"],
        "mr rule",
    );
    let s = scripts(mr);
    assert_has(
        &s,
        &["cms build", "cms check", "--dry-run --json"],
        "changed pages",
    );
    assert!(!s.contains("publish \"${args"), "a merge request publishes");
    assert!(mr["artifacts"]["paths"]
        .as_sequence()
        .is_some_and(|a| !a.is_empty()));
}
