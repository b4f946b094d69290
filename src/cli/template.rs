//! `sleipnir template NAME [--out FILE]` and `sleipnir template --list`.

use std::path::PathBuf;

use super::{Notes, print};
use crate::error::Error;
use crate::templates::{self, TEMPLATES};

/// Flags of `sleipnir template`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The template to print (see --list).
    #[arg(required_unless_present = "list", conflicts_with = "list")]
    pub name: Option<String>,
    /// List the templates.
    #[arg(long)]
    pub list: bool,
    /// Write the template to this file instead of printing it.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Overwrite the --out file if it exists.
    #[arg(long, requires = "out")]
    pub force: bool,
}

pub(super) fn run(args: Args, notes: &Notes) -> Result<(), Error> {
    let Some(name) = args.name else {
        let width = TEMPLATES.iter().map(|t| t.name.len()).max().unwrap_or(0);
        let mut text = String::new();
        for template in TEMPLATES {
            text.push_str(&format!(
                "{:width$}  {}\n",
                template.name, template.description
            ));
        }
        return print(&text);
    };
    let template = templates::find(&name)?;
    match args.out {
        None => print(template.body),
        Some(path) => {
            if path.exists() && !args.force {
                return Err(Error::Usage(format!(
                    "`{}` already exists; pass --force to overwrite it",
                    path.display()
                )));
            }
            crate::atomic::write(&path, template.body.as_bytes()).map_err(|source| {
                Error::Write {
                    path: path.clone(),
                    source,
                }
            })?;
            notes.note(&format!(
                "wrote template `{}` to `{}`",
                template.name,
                path.display()
            ));
            Ok(())
        }
    }
}
