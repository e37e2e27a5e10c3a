//! The CI examples under `examples/ci/` (issue 13) stay honest: every `lore …` command in their
//! `run:` and `script:` steps exists with the flags it passes (checked against the real binary's
//! `--help`), the commands succeed on a new site and build the folder the examples publish, and
//! the Dockerfile's final stage holds only the binary, runs `lore` and works in `/site`.
//!
//! The shell reading is deliberately small: it splits scripts into simple commands at unquoted
//! `;`, `&`, `|`, parentheses and line ends, and finds those that start with `lore`. A `lore`
//! inside a double-quoted `"$(…)"` is not seen.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::harness::SiteTest;

const GITHUB: &str = "examples/ci/github-actions.yml";
const GITLAB: &str = "examples/ci/gitlab-ci.yml";
const DOCKERFILE: &str = "examples/ci/Dockerfile";

/// Keys whose values are shell scripts: GitHub's `run`, GitLab's `script`, `before_script` and
/// `after_script` (a string or a list of strings, each possibly over several lines).
const SCRIPT_KEYS: &[&str] = &["run", "script", "before_script", "after_script"];

fn read_example(rel: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

fn parse_yaml(name: &str, yaml: &str) -> Result<Value, String> {
    let options = serde_saphyr::options! { strict_booleans: true, with_snippet: false };
    serde_saphyr::from_str_with_options::<Value>(yaml, options)
        .map_err(|e| format!("{name}: not valid YAML: {e}"))
}

/// The arguments of every `lore …` command in the CI file's scripts, in document order (map keys
/// sorted, list items in order).
fn lore_commands(name: &str, yaml: &str) -> Result<Vec<Vec<String>>, String> {
    let doc = parse_yaml(name, yaml)?;
    let mut scripts = Vec::new();
    collect_scripts(&doc, &mut scripts);
    Ok(scripts.iter().flat_map(|s| commands_in(s)).filter_map(lore_args).collect())
}

fn collect_scripts(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                if SCRIPT_KEYS.contains(&key.as_str()) {
                    push_strings(value, out);
                } else {
                    collect_scripts(value, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_scripts(item, out)),
        _ => {}
    }
}

fn push_strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|item| push_strings(item, out)),
        _ => {}
    }
}

/// The simple commands of a shell script, each as its words with quotes removed: split at
/// unquoted `;`, `&`, `|`, `(`, `)`, backquotes and line ends; a `\` at a line end joins lines;
/// `#` starts a comment.
fn commands_in(script: &str) -> Vec<Vec<String>> {
    let mut commands = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut word: Option<String> = None;
    let mut quote: Option<char> = None;
    let mut chars = script.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.get_or_insert_default().push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                word.get_or_insert_default();
            }
            (None, '\\') => match chars.next() {
                Some('\n') | None => {}
                Some(next) => word.get_or_insert_default().push(next),
            },
            (None, '#') if word.is_none() => while chars.next_if(|&c| c != '\n').is_some() {},
            (None, ' ' | '\t') => words.extend(word.take()),
            (None, ';' | '&' | '|' | '(' | ')' | '`' | '\n') => {
                words.extend(word.take());
                if !words.is_empty() {
                    commands.push(std::mem::take(&mut words));
                }
            }
            (None, c) => word.get_or_insert_default().push(c),
        }
    }
    words.extend(word.take());
    if !words.is_empty() {
        commands.push(words);
    }
    commands
}

/// The arguments of `words` when it runs lore: `lore …`, `./bin/lore …`, `VAR=x lore …`,
/// `then lore …`.
fn lore_args(words: Vec<String>) -> Option<Vec<String>> {
    let start = words.iter().position(|w| !is_prefix_word(w))?;
    let program = &words[start];
    (program == "lore" || program.ends_with("/lore")).then(|| words[start + 1..].to_vec())
}

fn is_prefix_word(word: &str) -> bool {
    let keyword = matches!(
        word,
        "if" | "then" | "else" | "elif" | "do" | "while" | "until" | "!" | "{" | "time" | "exec"
    );
    let assignment = word.split_once('=').is_some_and(|(name, _)| {
        name.starts_with(|c: char| c == '_' || c.is_ascii_alphabetic())
            && name.chars().all(|c| c == '_' || c.is_ascii_alphanumeric())
    });
    keyword || assignment
}

/// Runs the lore binary with `args`: its stdout on success, else the first line of its stderr.
fn lore(args: &[&str]) -> Result<String, String> {
    let out = Command::new(env!("CARGO_BIN_EXE_lore"))
        .args(args)
        .current_dir(env!("CARGO_TARGET_TMPDIR"))
        .output()
        .expect("the lore binary runs");
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).lines().next().unwrap_or("").to_owned())
    }
}

fn shown(args: &[&str]) -> String {
    std::iter::once("lore").chain(args.iter().copied()).collect::<Vec<_>>().join(" ")
}

/// What is wrong with the `lore` commands of the CI file `name`, one message per problem.
fn problems(name: &str, yaml: &str) -> Vec<String> {
    match lore_commands(name, yaml) {
        Ok(commands) => commands.iter().flat_map(|args| command_problems(name, args)).collect(),
        Err(message) => vec![message],
    }
}

/// Checks one command: its subcommand's `--help` must name every flag it passes; then the whole
/// command with `--help` appended must parse (clap checks values and arity, then prints help).
fn command_problems(name: &str, args: &[String]) -> Vec<String> {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let command = shown(&args);
    let mut help_args: Vec<&str> = args.iter().copied().find(|a| !a.starts_with('-')).into_iter().collect();
    help_args.push("--help");
    let help_command = shown(&help_args);
    let help = match lore(&help_args) {
        Ok(help) => help,
        Err(error) => return vec![format!("{name}: `{command}`: `{help_command}` fails: {error}")],
    };
    let missing: Vec<String> = flags(&args)
        .into_iter()
        .filter(|flag| !mentions(&help, flag))
        .map(|flag| format!("{name}: `{command}`: `{help_command}` has no `{flag}`"))
        .collect();
    if !missing.is_empty() {
        return missing;
    }
    let mut full = args.clone();
    full.push("--help");
    match lore(&full) {
        Ok(_) => Vec::new(),
        Err(error) => vec![format!("{name}: `{command}`: lore rejects it: {error}")],
    }
}

/// The flags among `args` (before a bare `--`): `--name` without its `=value`, and each letter of
/// a short group (`-qv` is `-q` and `-v`).
fn flags(args: &[&str]) -> Vec<String> {
    let mut flags = Vec::new();
    for arg in args.iter().take_while(|a| **a != "--") {
        if let Some(long) = arg.strip_prefix("--") {
            flags.push(format!("--{}", long.split('=').next().unwrap_or(long)));
        } else if let Some(short) = arg.strip_prefix('-').filter(|s| !s.is_empty()) {
            flags.extend(short.chars().map(|c| format!("-{c}")));
        }
    }
    flags
}

/// Whether `help` names `flag` as a whole word (`--fail-on` is not found in `--fail-on-x`).
fn mentions(help: &str, flag: &str) -> bool {
    let part = |c: char| c == '-' || c.is_ascii_alphanumeric();
    help.match_indices(flag)
        .any(|(at, _)| !help[..at].ends_with(part) && !help[at + flag.len()..].starts_with(part))
}

fn commands_of(name: &str) -> Vec<String> {
    let commands = lore_commands(name, &read_example(name)).unwrap_or_else(|e| panic!("{e}"));
    commands.iter().map(|args| shown(&args.iter().map(String::as_str).collect::<Vec<_>>())).collect()
}

#[test]
fn issue_13_ci_examples_run_only_commands_lore_has() {
    for name in [GITHUB, GITLAB] {
        assert_eq!(problems(name, &read_example(name)), Vec::<String>::new());
    }
    // The checker saw the commands (so an empty problem list means something).
    assert_eq!(commands_of(GITHUB), ["lore --version", "lore check --format github", "lore build"]);
    assert_eq!(commands_of(GITLAB), ["lore --version", "lore check", "lore build"]);
}

#[test]
fn issue_13_a_flag_lore_lacks_fails_the_check() {
    let gitlab = read_example(GITLAB);
    let bad = gitlab.replace("    - lore check\n", "    - lore check --bogus\n");
    assert_ne!(bad, gitlab, "the GitLab example has a `- lore check` line");
    assert_eq!(
        problems(GITLAB, &bad),
        ["examples/ci/gitlab-ci.yml: `lore check --bogus`: `lore check --help` has no `--bogus`"]
    );

    // A multi-line script with a continuation line, and a short flag.
    let github = read_example(GITHUB);
    let bad = github.replace(
        "        run: lore build\n",
        "        run: |\n          set -e\n          lore -q build \\\n            --no-such-flag=1 -Z\n",
    );
    assert_ne!(bad, github, "the GitHub example has a `run: lore build` line");
    assert_eq!(
        problems(GITHUB, &bad),
        [
            "examples/ci/github-actions.yml: `lore -q build --no-such-flag=1 -Z`: `lore build --help` has no `--no-such-flag`",
            "examples/ci/github-actions.yml: `lore -q build --no-such-flag=1 -Z`: `lore build --help` has no `-Z`",
        ]
    );
}

#[test]
fn issue_13_a_value_or_subcommand_lore_lacks_fails_the_check() {
    let yaml = "steps:\n  - run: lore check --format gthub\n  - run: lore deploy\n  - run: cargo install --locked --git \"$URL\" lore\n  - run: lore check --today\n";
    assert_eq!(
        problems("ci.yml", yaml),
        [
            "ci.yml: `lore check --format gthub`: lore rejects it: error: invalid value 'gthub' for '--format <FORMAT>'",
            "ci.yml: `lore deploy`: `lore deploy --help` fails: error: unrecognized subcommand 'deploy'",
            "ci.yml: `lore check --today`: lore rejects it: error: a value is required for '--today <DATE>' but none was supplied",
        ]
    );
    assert_eq!(
        problems("ci.yml", "steps: [\n"),
        ["ci.yml: not valid YAML: unclosed bracket '[' at line 1, column 8"]
    );
}

#[test]
fn lore_commands_are_found_in_every_shell_form() {
    let cases: &[(&str, &[&str])] = &[
        ("lore build", &["lore build"]),
        ("set -e\nlore check --strict && lore build", &["lore check --strict", "lore build"]),
        ("lore check \\\n  --format github", &["lore check --format github"]),
        ("if true; then lore build; fi", &["lore build"]),
        ("RUST_LOG=info ./bin/lore check | tee out.txt", &["lore check"]),
        ("lore check --format 'github' # lore serve", &["lore check --format github"]),
        ("out=$(lore --version)", &["lore --version"]),
        ("cargo install --locked --git \"$URL\" lore", &[]),
        ("echo 'lore build; lore serve'", &[]),
        ("explore build", &[]),
    ];
    for (script, expected) in cases {
        let found: Vec<String> = commands_in(script)
            .into_iter()
            .filter_map(lore_args)
            .map(|args| shown(&args.iter().map(String::as_str).collect::<Vec<_>>()))
            .collect();
        assert_eq!(found, *expected, "in {script:?}");
    }
}

#[test]
fn issue_13_example_commands_succeed_on_a_new_site_and_build_what_they_publish() {
    let site = SiteTest::empty("ci-examples");
    site.run(&["init"]).success();
    for name in [GITHUB, GITLAB] {
        for args in lore_commands(name, &read_example(name)).unwrap_or_else(|e| panic!("{e}")) {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            site.run(&args).success();
        }
    }
    // GitHub uploads `book`, GitLab moves `book` to `public`: where `lore build` writes.
    let github = parse_yaml(GITHUB, &read_example(GITHUB)).unwrap_or_else(|e| panic!("{e}"));
    let upload = steps(&github, "site")
        .into_iter()
        .find(|s| uses(s).starts_with("actions/upload-pages-artifact@"))
        .expect("the GitHub example uploads a Pages artifact");
    assert_eq!(upload["with"]["path"], "book");
    let gitlab = parse_yaml(GITLAB, &read_example(GITLAB)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(gitlab["pages"]["script"][0], "lore build");
    assert_eq!(gitlab["pages"]["script"][2], "mv book public");
    assert_eq!(gitlab["pages"]["artifacts"]["paths"], serde_json::json!(["public"]));
    assert!(site.path("book/index.html").is_file());
}

fn steps<'a>(workflow: &'a Value, job: &str) -> Vec<&'a Value> {
    workflow["jobs"][job]["steps"].as_array().map(|s| s.iter().collect()).unwrap_or_default()
}

fn uses(step: &Value) -> &str {
    step["uses"].as_str().unwrap_or("")
}

#[test]
fn issue_13_github_example_caches_and_deploys_to_pages() {
    let workflow = parse_yaml(GITHUB, &read_example(GITHUB)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(workflow["on"]["push"]["branches"], serde_json::json!(["main"]));
    assert!(workflow["on"].get("pull_request").is_some());
    assert!(workflow["env"]["LORE_GIT_URL"].as_str().is_some_and(|url| url.contains("EDIT-ME")));
    let site = steps(&workflow, "site");
    let cached: Vec<&Value> =
        site.iter().filter(|s| uses(s).starts_with("actions/cache@")).map(|s| &s["with"]["path"]).collect();
    assert_eq!(cached, ["~/.cargo/bin/lore", ".lore"]);
    let state = site.iter().find(|s| s["with"]["path"] == ".lore").expect("a `.lore` cache step");
    assert_eq!(
        state["with"]["key"],
        "lore-state-${{ runner.os }}-${{ hashFiles('book.toml', 'src/**', 'theme/**') }}"
    );
    assert_eq!(state["with"]["restore-keys"], "lore-state-${{ runner.os }}-\n");
    let deploy = &workflow["jobs"]["deploy"];
    assert_eq!(deploy["permissions"], serde_json::json!({"pages": "write", "id-token": "write"}));
    assert_eq!(deploy["environment"]["name"], "github-pages");
    assert!(steps(&workflow, "deploy").iter().any(|s| uses(s).starts_with("actions/deploy-pages@")));
}

/// The instructions of a Dockerfile, continuation lines joined, comments and blank lines dropped.
fn instructions(dockerfile: &str) -> Vec<String> {
    let joined = dockerfile.replace("\\\n", " ");
    let lines = joined.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#'));
    lines.map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ")).collect()
}

#[test]
fn issue_13_dockerfile_final_stage_holds_the_binary_and_runs_lore_in_site() {
    let all = instructions(&read_example(DOCKERFILE));
    let last_from = all.iter().rposition(|i| i.starts_with("FROM ")).expect("a FROM");
    let (build, last) = all.split_at(last_from);
    assert!(build[0].starts_with("FROM rust:") && build[0].ends_with(" AS build"), "{build:?}");
    assert!(build.iter().any(|i| i.contains("cargo install --locked --path . --root /out")), "{build:?}");
    // jemalloc's build runs `make`, which the slim image lacks: installed before cargo runs.
    let make = build
        .iter()
        .position(|i| i.starts_with("RUN apt-get") && i.contains("install -y --no-install-recommends make"));
    let cargo = build.iter().position(|i| i.contains("cargo install"));
    assert!(make.is_some() && make < cargo, "make is installed before cargo runs: {build:?}");
    // Nothing from the build context in the final image: one file, copied from the build stage.
    let copies: Vec<&String> =
        last.iter().filter(|i| i.starts_with("COPY") || i.starts_with("ADD")).collect();
    assert_eq!(copies, ["COPY --from=build /out/bin/lore /usr/local/bin/lore"]);
    assert!(last.contains(&"WORKDIR /site".to_owned()), "{last:?}");
    assert!(last.contains(&"ENTRYPOINT [\"lore\"]".to_owned()), "{last:?}");
    assert!(last.contains(&"CMD [\"build\"]".to_owned()), "{last:?}");
    assert_eq!(command_problems(DOCKERFILE, &["build".to_owned()]), Vec::<String>::new());

    // Every source the build stage copies exists and is let through `Dockerfile.dockerignore`.
    let ignore = read_example("examples/ci/Dockerfile.dockerignore");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let sources: Vec<&str> = build
        .iter()
        .filter_map(|i| i.strip_prefix("COPY "))
        .flat_map(|args| {
            let words: Vec<&str> = args.split(' ').collect();
            words[..words.len() - 1].to_vec()
        })
        .collect();
    assert_eq!(sources, ["Cargo.toml", "Cargo.lock", "src", "themes"]);
    for source in sources {
        assert!(root.join(source).exists(), "{source} is not in the repository");
        let kept = [format!("!{source}"), format!("!{source}/")];
        assert!(ignore.lines().any(|l| kept.contains(&l.to_owned())), "`{source}` is ignored");
    }
}

const PORTAL_SITE: [&str; 2] = ["examples/ci/portal/github-site.yml", "examples/ci/portal/gitlab-site.yml"];
const PORTAL: [&str; 2] = ["examples/ci/portal/github-portal.yml", "examples/ci/portal/gitlab-portal.yml"];

#[test]
fn issue_16_portal_ci_examples_run_only_commands_lore_has() {
    for name in PORTAL_SITE.iter().chain(&PORTAL) {
        assert_eq!(problems(name, &read_example(name)), Vec::<String>::new(), "{name}");
    }
    assert_eq!(commands_of(PORTAL_SITE[0]), ["lore --version", "lore check --format github", "lore build"]);
    // Map keys in sorted order: `check`, `default` (`before_script`), `publish`.
    assert_eq!(commands_of(PORTAL_SITE[1]), ["lore check", "lore --version", "lore build"]);
    assert_eq!(
        commands_of(PORTAL[0]),
        ["lore --version", "lore check --format github --fail-on never", "lore build"]
    );
    assert_eq!(commands_of(PORTAL[1]), ["lore --version", "lore check --fail-on never", "lore build"]);
}

/// The site recipes' commands on a fixture site, then the portal recipes' on a portal over it:
/// each succeeds, and the portal reads the manifest the site build wrote.
#[test]
fn issue_16_portal_ci_example_commands_succeed_on_a_site_and_its_portal() {
    let org = SiteTest::empty("ci-portal");
    org.overlay("portal/org");
    std::fs::create_dir(org.path("platform/.git")).expect("create .git");
    std::fs::create_dir(org.path("portal/.git")).expect("create .git");
    org.write(
        "platform/src/runbooks/KubePodCrashLooping.md",
        "---\nowner: platform-team\nreview_every: never\n---\n# Pod crash looping\n",
    );
    org.write(
        "portal/book.toml",
        "[book]\ntitle = \"Example Corp docs\"\n\n[portal]\nsites = [{ name = \"platform\", path = \"../platform/book\" }]\n",
    );
    for (names, dir) in [(PORTAL_SITE, "platform"), (PORTAL, "portal")] {
        for name in names {
            for args in lore_commands(name, &read_example(name)).unwrap_or_else(|e| panic!("{e}")) {
                let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
                if args.first().is_some_and(|a| *a == "check" || *a == "build") {
                    args.push(dir);
                }
                org.run(&args).success();
            }
        }
    }
    assert!(org.path("platform/book/lore-site.json").is_file());
    let alerts = std::fs::read_to_string(org.path("portal/book/alerts.json")).expect("portal alerts.json");
    assert!(alerts.contains("\"site\": \"platform\""), "{alerts}");
}
