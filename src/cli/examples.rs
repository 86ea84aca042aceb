//! The EXAMPLES section under each subcommand's `--help` (and in its man page): commands
//! that work as written from the root of baton's repository, which `tests/it/cli_help.rs`
//! runs (those that need no network beyond the sandbox) so that none of them rots.

/// `baton run`.
pub(super) const RUN: &str = "\
Examples:
  baton run collections/ --sandbox
      Every example collection, against the embedded sandbox provider
  baton run collections/client-credentials.yaml --sandbox -v
      One file, each request and response shown (secrets redacted)
  baton run collections/ --sandbox --jobs 4 --junit report.xml
      Four files at once, and a JUnit report for CI
  baton run collections/ --sandbox --shard 2/3 --json shard-2.json
      The second of three CI shards (join them with `baton report merge`)
  baton run collections/mediavalet/refresh-token.yaml -e mediavalet
      Against a real provider, with environments/mediavalet.yaml
  baton run collections/ --sandbox --color always 2>&1 | less -R
      Colours through a pager (FORCE_COLOR=1 does the same)
  baton run collections/ --sandbox --proxy http://127.0.0.1:3128
      Every request through a proxy (--no-proxy ignores HTTP_PROXY)";

/// `baton check`.
pub(super) const CHECK: &str = "\
Examples:
  baton check collections/ --sandbox
      Validate every example without sending anything
  baton check collections/mediavalet/ -e mediavalet
      Every variable of these files defined by the environment or a capture";

/// `baton sandbox`.
pub(super) const SANDBOX: &str = "\
Examples:
  baton sandbox
      The OpenID Connect provider on http://127.0.0.1:5001 (Ctrl-C ends it)
  baton sandbox --port 0
      On any free port (printed as it starts)";

/// `baton token`.
pub(super) const TOKEN: &str = "\
Examples:
  baton token collections/oauth2-requests.yaml --sandbox
      A token from the first oauth2 request of the file
  curl -H \"Authorization: Bearer $(baton token collections/mediavalet/refresh-token.yaml -e mediavalet)\" https://api.example.com/
      A cached (or refreshed) token for another tool
  baton token --clear
      Forget every cached token";

/// `baton report merge`.
pub(super) const MERGE: &str = "\
Examples:
  baton run collections/ --sandbox --shard 1/2 --json a.json
  baton run collections/ --sandbox --shard 2/2 --json b.json
  baton report merge a.json b.json --junit report.xml --html report.html
      Two shards joined into one run, with its exit code";

/// `baton import postman`.
pub(super) const IMPORT_POSTMAN: &str = "\
Examples:
  baton import postman tests/fixtures/postman/auth-code.postman_collection.json \\
      --env tests/fixtures/postman/sandbox.postman_environment.json -o imported/
      A collection and its environment as YAML (MIGRATION.md says what needs a person)";

/// `baton import curl`.
pub(super) const IMPORT_CURL: &str = "\
Examples:
  baton import curl 'curl -X POST https://api.example.com/items -H \"Content-Type: application/json\" -d \"{\\\"a\\\":1}\"'
      The request as YAML on stdout
  pbpaste | baton import curl - -o collections/new.yaml
      From stdin (a browser's \"Copy as cURL\"), into a file";

/// `baton export`.
pub(super) const EXPORT: &str = "\
Examples:
  baton export collections/client-credentials.yaml --request 'get a token for the API' --as curl
      One request as a curl command, secrets as <placeholders>
  baton export collections/client-credentials.yaml --as python > flow.py
      The whole collection as one runnable program";

/// `baton probe`.
pub(super) const PROBE: &str = "\
Examples:
  baton probe --sandbox
      The report card of the embedded sandbox provider
  baton probe https://login.example.com --only discovery --only jwks
      A provider's discovery document and keys, no client needed
  baton probe https://login.example.com --client-id app --client-secret-env APP_SECRET
      With a client: the token endpoint's errors and the grants it may use
  baton probe --print errors
      The collection of a group's checks, to copy into a suite";

/// `baton schema`.
pub(super) const SCHEMA: &str = "\
Examples:
  baton schema collection > schema/collection.schema.json
  baton schema environment > schema/environment.schema.json";

/// `baton completions`.
pub(super) const COMPLETIONS: &str = "\
Examples:
  baton completions bash > ~/.local/share/bash-completion/completions/baton
  echo 'source <(baton completions zsh)' >> ~/.zshrc
  baton completions fish > ~/.config/fish/completions/baton.fish
  baton completions powershell >> $PROFILE
      Install a shell's script (the README says more); regenerate it after upgrading";

/// `baton man`.
pub(super) const MAN: &str = "\
Examples:
  baton man | man -l -
      Read the main page now
  baton man --dir ~/.local/share/man/man1
      baton.1 and a page per subcommand (baton-run.1...), for `man baton-run`";

/// `baton docs check`.
pub(super) const DOCS_CHECK: &str = "\
Examples:
  baton docs check docs/ --sandbox
      Run the ```baton blocks of every guide, in order, against the sandbox";

/// `baton docs sync`.
pub(super) const DOCS_SYNC: &str = "\
Examples:
  baton docs sync docs/guide.md
      Regenerate the snippets under each ```baton block
  baton docs sync docs/ --check
      In CI: exit 1 naming each snippet that is out of step";
