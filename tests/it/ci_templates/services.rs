//! Just enough of GitHub Actions and GitLab CI to run the shell of `action.yml`,
//! `ci/github/sharded.yml` and `ci/gitlab/baton.gitlab-ci.yml` as the services would: `${{ }}`
//! expressions and `$VAR` variables substituted, `GITHUB_OUTPUT`/`GITHUB_PATH` honoured, jobs in
//! order, matrix and `parallel:` jobs once each, every job in one workspace (as artifacts
//! downloaded into it would be). Steps that use another action (checkout, cache, artifacts)
//! are not run; baton's install step is left out: the binary under test stands where the
//! cache would restore it.

use regex::Regex;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::LazyLock;

/// The version the templates install, and so where the cache restores baton.
pub(super) fn template_version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

pub(super) fn read_yaml(relative: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{relative}: {e}"));
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

/// What one shell step or job did.
#[derive(Debug)]
pub(super) struct Ran {
    pub(super) code: i32,
    pub(super) stdout: String,
    pub(super) stderr: String,
}

/// Runs `script` with bash as the service does (`-eo pipefail`), in `cwd`, with only `env`.
fn bash(script: &str, cwd: &Path, env: &BTreeMap<String, String>) -> Ran {
    let out = Command::new("bash")
        .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
        .current_dir(cwd)
        .env_clear()
        .envs(env)
        .output()
        .expect("start bash");
    Ran {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The environment every job starts from: system tools, no cargo, a HOME of the workspace.
fn base_env(workspace: &Path) -> BTreeMap<String, String> {
    let home = workspace.join(".home");
    std::fs::create_dir_all(&home).unwrap();
    BTreeMap::from([
        ("PATH".into(), "/usr/local/bin:/usr/bin:/bin".into()),
        ("HOME".into(), home.display().to_string()),
        ("CI".into(), "true".into()),
        ("NO_COLOR".into(), "1".into()),
        ("NO_PROXY".into(), "127.0.0.1,localhost".into()),
    ])
}

/// Puts the baton under test at `root/bin/baton`, where `cargo install --root root` (and so
/// a restored cache) leaves it.
fn restore_cache(root: &Path) {
    let bin = root.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let target = bin.join("baton");
    if !target.exists() {
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_baton"), target).unwrap();
    }
}

static EXPRESSION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\$\{\{\s*(.*?)\s*\}\}").unwrap());

/// `text` with each `${{ name }}` replaced from `context`; a name it lacks fails the test,
/// so a template cannot use what this runner does not know.
fn expand(text: &str, context: &BTreeMap<String, String>) -> String {
    EXPRESSION
        .replace_all(text, |c: &regex::Captures| {
            context
                .get(&c[1])
                .unwrap_or_else(|| panic!("unknown expression `{}` in {text:?}", &c[1]))
                .clone()
        })
        .into_owned()
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The `key=value` and `key<<EOF` lines of a `GITHUB_OUTPUT` file.
fn outputs(file: &Path) -> BTreeMap<String, String> {
    let content = std::fs::read_to_string(file).unwrap_or_default();
    let mut found = BTreeMap::new();
    let mut lines = content.lines();
    while let Some(line) = lines.next() {
        if let Some((key, delimiter)) = line.split_once("<<") {
            let value: Vec<&str> = lines.by_ref().take_while(|l| *l != delimiter).collect();
            found.insert(key.to_string(), value.join("\n"));
        } else if let Some((key, value)) = line.split_once('=') {
            found.insert(key.to_string(), value.to_string());
        }
    }
    found
}

/// A GitHub Actions runner for one workspace.
pub(super) struct GitHub {
    pub(super) workspace: PathBuf,
    pub(super) tool_cache: PathBuf,
    /// `secrets.NAME` values of the repository.
    pub(super) secrets: BTreeMap<String, String>,
    /// Files the upload-artifact steps were given, each checked to exist.
    pub(super) uploaded: Vec<PathBuf>,
    /// Everything the steps printed, for the messages of failed assertions.
    pub(super) log: String,
}

impl GitHub {
    pub(super) fn new(workspace: &Path) -> GitHub {
        let tool_cache = workspace.join(".tool-cache");
        restore_cache(&tool_cache.join("baton-cli").join(template_version()));
        GitHub {
            workspace: workspace.to_owned(),
            tool_cache,
            secrets: BTreeMap::new(),
            uploaded: Vec::new(),
            log: String::new(),
        }
    }

    /// Runs every job of `workflow` in order (a matrix job once per value); the exit code of
    /// each job run, named `job` or `job (value)`.
    pub(super) fn run_workflow(&mut self, workflow: &Value) -> Vec<(String, i32)> {
        let mut results = Vec::new();
        for (name, job) in workflow["jobs"].as_object().expect("jobs") {
            let matrix = job["strategy"]["matrix"].as_object();
            let combos: Vec<Option<(String, String)>> = match matrix {
                None => vec![None],
                Some(m) => {
                    assert_eq!(m.len(), 1, "{name}: one matrix variable");
                    let (key, values) = m.iter().next().unwrap();
                    let values = values.as_array().expect("matrix values");
                    values
                        .iter()
                        .map(|v| Some((key.clone(), text(v))))
                        .collect()
                }
            };
            let total = combos.len().to_string();
            for combo in &combos {
                let mut context = BTreeMap::from([("strategy.job-total".into(), total.clone())]);
                for (key, value) in &self.secrets {
                    context.insert(format!("secrets.{key}"), value.clone());
                }
                let label = match combo {
                    Some((key, value)) => {
                        context.insert(format!("matrix.{key}"), value.clone());
                        format!("{name} ({value})")
                    }
                    None => name.clone(),
                };
                let code = self.run_job(job, &context);
                results.push((label, code));
            }
        }
        results
    }

    fn run_job(&mut self, job: &Value, context: &BTreeMap<String, String>) -> i32 {
        let mut env = base_env(&self.workspace);
        for step in job["steps"].as_array().expect("steps") {
            let code = if let Some(uses) = step["uses"].as_str() {
                if uses.starts_with("actions/") {
                    continue; // checkout, download-artifact: the workspace is shared
                }
                assert!(uses.ends_with("/baton@v1"), "unknown action {uses}");
                let with = expand_map(&step["with"], context);
                let mut step_env = env.clone();
                step_env.extend(expand_map(&step["env"], context));
                let code = self.run_action(&with, &mut step_env).code;
                env.insert("PATH".into(), step_env["PATH"].clone());
                code
            } else {
                let script = expand(step["run"].as_str().expect("run"), context);
                self.shell(&script, &self.workspace.clone(), &mut env).code
            };
            if code != 0 {
                return code;
            }
        }
        0
    }

    /// Runs `action.yml` with inputs `with` (the defaults for the others), as a `uses:` step
    /// does; the exit code of its first failing step, and what its steps wrote to
    /// `GITHUB_OUTPUT` as `id.key`.
    pub(super) fn run_action(
        &mut self,
        with: &BTreeMap<String, String>,
        env: &mut BTreeMap<String, String>,
    ) -> ActionRun {
        let action = read_yaml("action.yml");
        let declared = action["inputs"].as_object().expect("inputs");
        for name in with.keys() {
            assert!(
                declared.contains_key(name),
                "action.yml has no input {name}"
            );
        }
        let mut context = BTreeMap::from([(
            "runner.tool_cache".to_string(),
            self.tool_cache.display().to_string(),
        )]);
        for (name, input) in declared {
            let value = with
                .get(name)
                .cloned()
                .unwrap_or_else(|| text(&input["default"]));
            context.insert(format!("inputs.{name}"), value);
        }
        let mut run = ActionRun {
            code: 0,
            outputs: BTreeMap::new(),
        };
        let mut installs = 0;
        for step in action["runs"]["steps"].as_array().expect("steps") {
            if step["id"] == "install" {
                let script = step["run"].as_str().unwrap();
                assert!(
                    script.starts_with("cargo install baton-cli --locked"),
                    "{script}"
                );
                installs += 1;
                continue;
            }
            if let Some(uses) = step["uses"].as_str() {
                if uses.starts_with("actions/upload-artifact") {
                    self.upload(&expand_map(&step["with"], &context));
                }
                continue;
            }
            let mut step_env = env.clone();
            step_env.extend(expand_map(&step["env"], &context));
            let cwd = self.workspace.join(expand(
                step["working-directory"].as_str().unwrap_or("."),
                &context,
            ));
            let output = self.workspace.join(".github-output");
            std::fs::write(&output, "").unwrap();
            step_env.insert("GITHUB_OUTPUT".into(), output.display().to_string());
            let ran = self.shell(step["run"].as_str().expect("run"), &cwd, &mut step_env);
            env.insert("PATH".into(), step_env["PATH"].clone());
            if let Some(id) = step["id"].as_str() {
                for (key, value) in outputs(&output) {
                    context.insert(format!("steps.{id}.outputs.{key}"), value.clone());
                    run.outputs.insert(format!("{id}.{key}"), value);
                }
            }
            if ran.code != 0 {
                run.code = ran.code;
                // Steps marked `if: always()` still run: the upload of the reports.
                for later in action["runs"]["steps"].as_array().unwrap() {
                    let always = later["if"].as_str().is_some_and(|c| c.contains("always()"));
                    let upload = later["uses"].as_str().is_some_and(|u| u.contains("upload"));
                    if always && upload && context.contains_key("steps.run.outputs.reports") {
                        self.upload(&expand_map(&later["with"], &context));
                    }
                }
                return run;
            }
        }
        assert_eq!(installs, 1, "action.yml installs baton in one step");
        run
    }

    fn upload(&mut self, with: &BTreeMap<String, String>) {
        for line in with["path"].lines().filter(|l| !l.trim().is_empty()) {
            let path = PathBuf::from(line.trim());
            assert!(
                path.is_file(),
                "upload-artifact is given {line}, which does not exist"
            );
            self.uploaded.push(path);
        }
    }

    /// Runs one shell step with `GITHUB_PATH` and `GITHUB_ACTIONS`; its `GITHUB_PATH`
    /// additions go before `PATH` in `env`, as the runner does for the steps after it.
    fn shell(&mut self, script: &str, cwd: &Path, env: &mut BTreeMap<String, String>) -> Ran {
        let github_path = self.workspace.join(".github-path");
        std::fs::write(&github_path, "").unwrap();
        let mut step_env = env.clone();
        step_env.insert("GITHUB_ACTIONS".into(), "true".into());
        step_env.insert("GITHUB_PATH".into(), github_path.display().to_string());
        step_env.insert(
            "GITHUB_WORKSPACE".into(),
            self.workspace.display().to_string(),
        );
        let ran = bash(script, cwd, &step_env);
        self.log
            .push_str(&format!("$ {script}\n{}{}", ran.stdout, ran.stderr));
        for dir in std::fs::read_to_string(&github_path).unwrap().lines().rev() {
            let path = format!("{dir}:{}", env["PATH"]);
            env.insert("PATH".into(), path);
        }
        ran
    }
}

/// What `run_action` saw.
pub(super) struct ActionRun {
    pub(super) code: i32,
    pub(super) outputs: BTreeMap<String, String>,
}

fn expand_map(v: &Value, context: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    v.as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), expand(&text(v), context)))
                .collect()
        })
        .unwrap_or_default()
}

/// Runs the jobs of a GitLab CI file in order, `parallel: N` ones N times with
/// `CI_NODE_INDEX`/`CI_NODE_TOTAL`, `project` as the project's CI/CD variables; the exit code
/// of each job run and the paths of the JUnit reports it declared.
pub(super) fn run_gitlab(
    file: &Value,
    workspace: &Path,
    project: &BTreeMap<String, String>,
) -> (Vec<(String, i32)>, Vec<PathBuf>, String) {
    const KEYWORDS: &[&str] = &["variables", "stages", "include", "default", "workflow"];
    let top = file.as_object().expect("a mapping");
    let mut results = Vec::new();
    let mut junit = Vec::new();
    let mut log = String::new();
    for (name, job) in top {
        if name.starts_with('.') || KEYWORDS.contains(&name.as_str()) {
            continue;
        }
        let job = extended(top, job);
        let runs = job["parallel"].as_u64().unwrap_or(1);
        for index in 1..=runs {
            let mut env = base_env(workspace);
            env.insert("GITLAB_CI".into(), "true".into());
            env.insert("CI_PROJECT_DIR".into(), workspace.display().to_string());
            if job["parallel"].is_u64() {
                env.insert("CI_NODE_INDEX".into(), index.to_string());
                env.insert("CI_NODE_TOTAL".into(), runs.to_string());
            }
            for vars in [
                &file["variables"],
                &Value::Object(project_vars(project)),
                &job["variables"],
            ] {
                for (k, v) in vars.as_object().into_iter().flatten() {
                    let value = dollar(&text(v), &env);
                    env.insert(k.clone(), value);
                }
            }
            if let Some(root) = env.get("BATON_ROOT") {
                restore_cache(Path::new(root));
            }
            let lines: Vec<String> = ["before_script", "script"]
                .iter()
                .flat_map(|k| {
                    job.get(*k)
                        .and_then(Value::as_array)
                        .cloned()
                        .unwrap_or_default()
                })
                .map(|l| text(&l))
                .collect();
            let ran = bash(&lines.join("\n"), workspace, &env);
            log.push_str(&format!(
                "--- {name} {index}/{runs}\n{}{}",
                ran.stdout, ran.stderr
            ));
            results.push((format!("{name} {index}/{runs}"), ran.code));
            if let Some(report) = job["artifacts"]["reports"]["junit"].as_str() {
                junit.push(workspace.join(dollar(report, &env)));
            }
        }
    }
    (results, junit, log)
}

fn project_vars(project: &BTreeMap<String, String>) -> Map<String, Value> {
    project
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect()
}

/// `job` with the keys of the template it `extends:` beneath its own.
fn extended(top: &Map<String, Value>, job: &Value) -> Value {
    let mut merged = Map::new();
    if let Some(base) = job["extends"].as_str() {
        let template = top
            .get(base)
            .unwrap_or_else(|| panic!("extends unknown {base}"));
        merged.extend(template.as_object().expect("extends a mapping").clone());
    }
    merged.extend(job.as_object().expect("a job mapping").clone());
    Value::Object(merged)
}

static DOLLAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?").unwrap());

/// `$NAME` and `${NAME}` in a variable's value replaced, as GitLab expands variables.
fn dollar(text: &str, env: &BTreeMap<String, String>) -> String {
    DOLLAR
        .replace_all(text, |c: &regex::Captures| {
            env.get(&c[1]).cloned().unwrap_or_default()
        })
        .into_owned()
}
