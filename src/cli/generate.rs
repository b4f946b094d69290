//! A run's `<generate>` credentials: made by Odin's generators once the run's directory
//! exists and before the first write, written to its `credentials.csv`, and named (never
//! quoted) on the terminal.

use crate::apply::generate;
use crate::credentials::Credential;
use crate::error::Error;
use crate::odin::OdinClient;
use crate::plan::Plan;
use crate::rundir::Ledger;
use crate::text::counted;

/// `plan` with its `<generate>` credentials made, and the line that names their file
/// (`generated 3 web passwords, 3 passcodes: in `run/credentials.csv` (owner-only) …`);
/// `None` when the plan generates nothing (no request is sent).
pub(super) fn fill(
    plan: &Plan,
    runtime: &tokio::runtime::Runtime,
    client: &OdinClient,
    ledger: &Ledger,
) -> Result<Option<(Plan, String)>, Error> {
    if !plan.generates_credentials() {
        return Ok(None);
    }
    let mut filled = plan.clone();
    let made = runtime.block_on(generate::fill(&mut filled, client))?;
    let rows: Vec<_> = made
        .iter()
        .map(|g| (g.user_id.as_str(), g.credential, &g.value))
        .collect();
    let path = ledger.generated_credentials(&rows).map_err(Error::Ledger)?;
    let kinds: Vec<String> = [
        (Credential::SipPassword, "SIP password", "SIP passwords"),
        (Credential::WebPassword, "web password", "web passwords"),
        (
            Credential::PortalPasscode,
            "voice portal passcode",
            "voice portal passcodes",
        ),
    ]
    .into_iter()
    .map(|(kind, one, many)| {
        (
            made.iter().filter(|g| g.credential == kind).count(),
            one,
            many,
        )
    })
    .filter(|(n, _, _)| *n > 0)
    .map(|(n, one, many)| counted(n, one, many))
    .collect();
    let line = format!(
        "generated {}: in `{}` (owner-only), the one place they are written; hand them out, \
         then delete it\n",
        kinds.join(", "),
        path.display()
    );
    Ok(Some((filled, line)))
}
