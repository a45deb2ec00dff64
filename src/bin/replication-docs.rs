//! `replication-docs [DOCS_DIR] [EXAMPLES_DIR]`: regenerates the registry
//! pages (`index.md`, `resources/topology.md`, `data-sources/topology.md`)
//! from the provider's schemas. Defaults: `docs` and `examples`.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let docs = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| "docs".into());
    let examples = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| "examples".into());
    let result = terraform_provider_replication::docs::render(&examples)
        .and_then(|pages| terraform_provider_replication::docs::write(&pages, &docs));
    match result {
        Ok(written) => {
            for path in written {
                println!("wrote {}", path.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("replication-docs: {e}");
            ExitCode::FAILURE
        }
    }
}
