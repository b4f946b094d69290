//! `sleipnir sim`: serve the Odin simulator on loopback until Ctrl-C.

use std::time::Duration;

use super::{Notes, print};
use crate::error::Error;
use crate::sim::{
    self, AgentRows, AgentsOmitted, BulkWritePartial, CreateExtension, DeleteUnknown,
    DnsAddExisting, DnsPutAnswer, ErrorBody, ExpiredTokenStatus, FaultConfig, HuntGroupRead,
    ImpSpelling, Login, MemberVariant, NestedWrites, PhoneNotInGroup, ScaBulkShape, ScaDeleteStyle,
    SimConfig, SkillPut, UnknownUserRead, Variant,
};

/// Flags of `sleipnir sim`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// How many users to seed (user00001@sim.example.net, …).
    #[arg(long, default_value_t = 100)]
    pub users: usize,
    /// How many groups to spread them over.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..))]
    pub groups: u16,
    /// Hunt groups per group (hg1.grp01@sim.example.net, …), each holding a number, an
    /// extension and three agents.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub hunt_groups: usize,
    /// Call centers per group (cc1.grp01@sim.example.net, …); with any, each group's first
    /// four users hold a call center licence.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub call_centers: usize,
    /// Latency added to every request, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency: u64,
    /// Up to this many more milliseconds, drawn at random per request.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub jitter: u64,
    /// Answer 429 with Retry-After past N requests in any one second.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub rate_limit: Option<u32>,
    /// Probability (0 to 1) of a 503 before a write.
    #[arg(long, value_name = "P", default_value_t = 0.0, value_parser = probability)]
    pub fail_rate: f64,
    /// Probability (0 to 1) that a write succeeds and its connection is dropped unanswered.
    #[arg(long, value_name = "P", default_value_t = 0.0, value_parser = probability)]
    pub drop_rate: f64,
    /// Answer 404 to the `/users/*/bulk` group reads and to the bulk writes, as an Odin
    /// without the `/bulk` paths.
    #[arg(long)]
    pub no_bulk_reads: bool,
    /// Answer 405 to every bulk write (`PUT /users/*/bulk`, `PUT /users/bulk`), as an Odin
    /// whose `/bulk` paths serve only GET; the reads keep working.
    #[arg(long)]
    pub no_bulk_writes: bool,
    /// Send Retry-After as an HTTP date instead of seconds.
    #[arg(long)]
    pub retry_after_date: bool,
    /// The pause a 429 asks for, in seconds (default: until the window has room).
    #[arg(long, value_name = "S")]
    pub retry_after: Option<u64>,
    /// Answer POST /groups/dns 200 and add nothing: a write taken that did not land.
    #[arg(long)]
    pub dns_adds_lost: bool,
    /// Answer 400 to every settings write of this user, changing nothing: a refusal no
    /// read foretells (repeatable).
    #[arg(long, value_name = "USER")]
    pub refuse_settings_of: Vec<String>,
    /// Answer every request, the login included, with this redirect (301, 302, 303, 307 or
    /// 308) to --redirect-to instead of serving it.
    #[arg(long, value_name = "STATUS", requires = "redirect_to", value_parser = redirect_status)]
    pub redirect: Option<u16>,
    /// The base URL a --redirect points to; the Location is it followed by the request's
    /// path below /api/v2 (e.g. http://127.0.0.1:8081/api/v2).
    #[arg(long, value_name = "URL", requires = "redirect")]
    pub redirect_to: Option<String>,
    /// With --redirect: serve the login and token paths, redirect only the requests after.
    #[arg(long, requires = "redirect")]
    pub redirect_data_only: bool,
    /// Answer the reads of these users (comma-separated ids, or `*` for all) with a 200 HTML
    /// login page instead of Odin's JSON, as a proxy in front of Odin may.
    #[arg(long, value_name = "USERS", value_delimiter = ',')]
    pub html_reads: Vec<String>,
    /// Carry out the writes of these users (comma-separated ids, or `*`), then answer them
    /// with that 200 HTML page instead of Odin's answer.
    #[arg(long, value_name = "USERS", value_delimiter = ',')]
    pub html_writes: Vec<String>,
    /// Accept the login's connection and never answer it.
    #[arg(long)]
    pub hang_login: bool,
    /// Token lifetime in seconds.
    #[arg(long, value_name = "S", default_value_t = 86_400, value_parser = clap::value_parser!(u64).range(1..))]
    pub token_ttl: u64,
    /// Seed for the users' variation and the faults.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// What a partial nested object in a write does to the stored one: `replace` (keys not
    /// sent are lost) or `merge`.
    #[arg(long, value_name = "ANSWER", default_value_t = NestedWrites::Replace)]
    pub nested_writes: NestedWrites,
    /// The status a request with an expired token gets: 401 or 403.
    #[arg(long, value_name = "STATUS", default_value_t = ExpiredTokenStatus::Forbidden)]
    pub expired_token_status: ExpiredTokenStatus,
    /// The key of an error body that holds the message: `details` (beside the reason phrase
    /// in `error`) or `error` (alone).
    #[arg(long, value_name = "KEY", default_value_t = ErrorBody::Error)]
    pub error_body: ErrorBody,
    /// Answer every login with 402: the admin's password has expired.
    #[arg(long)]
    pub password_expired: bool,
    /// How service listings spell the licence `Integrated IM&P`: `IMP` or `IM&P`.
    #[arg(long, value_name = "SPELLING", default_value_t = ImpSpelling::Imp)]
    pub imp_spelling: ImpSpelling,
    /// Echo each request (its Authorization header and body, a login's password included)
    /// in every error text, as careless servers do.
    #[arg(long)]
    pub echo_requests: bool,
    /// Answer every login with 500.
    #[arg(long)]
    pub failing_login: bool,
    /// What a bulk write does when some listed users cannot take the change (unknown, of
    /// another group, service not assigned): `fail` (400, nobody written) or `skip` (the
    /// others written, those skipped silently, 200).
    #[arg(long, value_name = "ANSWER", default_value_t = BulkWritePartial::Fail)]
    pub bulk_write_partial: BulkWritePartial,
    /// What adding a number already in the group's (or service provider's) list answers:
    /// `refuse` (400 naming it, nothing added) or `ignore` (skipped, the others added).
    #[arg(long, value_name = "ANSWER", default_value_t = DnsAddExisting::Refuse)]
    pub dns_add_existing: DnsAddExisting,
    /// What an activation (PUT /groups/dns) answers: `list` (the group's whole list, as
    /// GET /groups/dns answers it) or `empty` ({}).
    #[arg(long, value_name = "ANSWER", default_value_t = DnsPutAnswer::List)]
    pub dns_put_answer: DnsPutAnswer,
    /// What a user's `phoneNumber` not in its group's list does: `refuse` (400) or `add`
    /// (taken from the service provider's free numbers into the group, then assigned).
    #[arg(long, value_name = "ANSWER", default_value_t = PhoneNotInGroup::Refuse)]
    pub phone_not_in_group: PhoneNotInGroup,
    /// SCA endpoint lists leave out each endpoint's isActive, allowOrigination and
    /// allowTermination (read one endpoint for them).
    #[arg(long)]
    pub sca_list_without_flags: bool,
    /// Where the SCA endpoint DELETE reads its keys: `either` (the query if it names a
    /// userId, else the JSON body), `body` or `query`; the other style answers 400.
    #[arg(long, value_name = "STYLE", default_value_t = ScaDeleteStyle::Either)]
    pub sca_delete_style: ScaDeleteStyle,
    /// The shape of GET /users/shared-call-appearance/bulk: `object` ({users: [{profile,
    /// data}]}) or `flat` (one list of endpoints).
    #[arg(long, value_name = "SHAPE", default_value_t = ScaBulkShape::Object)]
    pub sca_bulk_shape: ScaBulkShape,
    /// GET /users/shared-call-appearance answers a flat list of the user's endpoints
    /// (without maxAppearances), as newer odins_spear pages show it.
    #[arg(long)]
    pub sca_read_flat: bool,
    /// The shape of GET /groups/hunt-groups?serviceUserId=: `object` or `array` (one
    /// element).
    #[arg(long, value_name = "SHAPE", default_value_t = HuntGroupRead::Object)]
    pub hunt_group_read: HuntGroupRead,
    /// That read's agents: `full` rows or `ids` ({userId} alone).
    #[arg(long, value_name = "SHAPE", default_value_t = AgentRows::Full)]
    pub hunt_group_agents: AgentRows,
    /// What PUT /groups/call-centers/agents does when its agents carry a skillLevel:
    /// `replace` the list or `merge` into it.
    #[arg(long, value_name = "ANSWER", default_value_t = SkillPut::Replace)]
    pub skill_put: SkillPut,
    /// What PUT /groups/hunt-groups without `agents` does to the agent list: `keep` or
    /// `clear`.
    #[arg(long, value_name = "ANSWER", default_value_t = AgentsOmitted::Keep)]
    pub agents_omitted: AgentsOmitted,
    /// The status of DELETE /users of an unknown user: `404` or `200` (answering `[]`).
    #[arg(long, value_name = "STATUS", default_value_t = DeleteUnknown::NotFound)]
    pub delete_unknown: DeleteUnknown,
    /// The extension POST /users gives a user created with a number and no extension:
    /// `none` or `from-number` (its last four digits).
    #[arg(long, value_name = "ANSWER", default_value_t = CreateExtension::None)]
    pub create_extension: CreateExtension,
    /// The status of GET /users?userId= of a user nobody has: `404`, or `400` with
    /// BroadWorks' `[Error 4008] User not found` text.
    #[arg(long, value_name = "STATUS", default_value_t = UnknownUserRead::NotFound)]
    pub unknown_user_read: UnknownUserRead,
}

impl Args {
    /// The answers to the API's unknowns these flags choose.
    fn variant(&self) -> Variant {
        Variant {
            nested_writes: self.nested_writes,
            expired_token_status: self.expired_token_status,
            error_body: self.error_body,
            password_expired: self.password_expired,
            imp_spelling: self.imp_spelling,
            echo_requests: self.echo_requests,
            failing_login: self.failing_login,
            bulk_write_partial: self.bulk_write_partial,
            dns_add_existing: self.dns_add_existing,
            dns_put_answer: self.dns_put_answer,
            phone_not_in_group: self.phone_not_in_group,
            sca_list_without_flags: self.sca_list_without_flags,
            sca_delete_style: self.sca_delete_style,
            sca_bulk_shape: self.sca_bulk_shape,
            sca_read_flat: self.sca_read_flat,
            members: MemberVariant {
                hunt_group_read: self.hunt_group_read,
                hunt_group_agents: self.hunt_group_agents,
                skill_put: self.skill_put,
                agents_omitted: self.agents_omitted,
                delete_unknown: self.delete_unknown,
                create_extension: self.create_extension,
                unknown_user_read: self.unknown_user_read,
            },
        }
    }
}

fn redirect_status(text: &str) -> Result<u16, String> {
    match text.parse::<u16>() {
        Ok(status @ (301 | 302 | 303 | 307 | 308)) => Ok(status),
        _ => Err(format!(
            "`{text}` is not a redirect status: 301, 302, 303, 307 or 308"
        )),
    }
}

fn probability(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err(format!("`{text}` is not a probability between 0 and 1")),
    }
}

pub(super) fn run(args: Args, notes: &Notes) -> Result<(), Error> {
    // The simulator accepts the login of this environment when both parts are set, so a
    // shell set up for a real Odin works against it unchanged.
    let env_login = match (
        std::env::var("ODIN_USERNAME"),
        std::env::var("ODIN_PASSWORD"),
    ) {
        (Ok(username), Ok(password)) if !username.is_empty() => Some(Login { username, password }),
        _ => None,
    };
    let config = SimConfig {
        users: args.users,
        groups: usize::from(args.groups),
        hunt_groups: args.hunt_groups,
        call_centers: args.call_centers,
        seed: args.seed,
        token_ttl: Duration::from_secs(args.token_ttl),
        login: env_login.clone().unwrap_or_default(),
        faults: FaultConfig {
            latency: Duration::from_millis(args.latency),
            jitter: Duration::from_millis(args.jitter),
            rate_limit: args.rate_limit,
            fail_rate: args.fail_rate,
            drop_rate: args.drop_rate,
            no_bulk_reads: args.no_bulk_reads,
            no_bulk_writes: args.no_bulk_writes,
            retry_after_date: args.retry_after_date,
            retry_after: args.retry_after.map(Duration::from_secs),
            refuse_settings_of: args.refuse_settings_of.clone(),
            redirect: args.redirect,
            redirect_to: args.redirect_to.clone().unwrap_or_default(),
            redirect_data_only: args.redirect_data_only,
            html_reads: args.html_reads.clone(),
            html_writes: args.html_writes.clone(),
            dns_adds_lost: args.dns_adds_lost,
            hang_login: args.hang_login,
        },
        variant: args.variant(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(sim::SimError::Runtime)?;
    let banner = |addr: std::net::SocketAddr| {
        let base = format!("http://{addr}/api/v2");
        let login = match &env_login {
            Some(login) => format!(
                "ODIN_USERNAME={} and the ODIN_PASSWORD of this shell",
                login.username
            ),
            None => format!(
                "export ODIN_URL={base} ODIN_USERNAME={} ODIN_PASSWORD={}",
                sim::DEFAULT_USERNAME,
                sim::DEFAULT_PASSWORD
            ),
        };
        let mut text = format!(
            "Odin simulator: {} users in {} groups of service provider `{}` (seed {})\n  \
             base URL  {base}\n  login     {login}\n  stats     http://{addr}/__sim/stats\n",
            args.users,
            args.groups,
            sim::SERVICE_PROVIDER,
            args.seed
        );
        if args.hunt_groups > 0 || args.call_centers > 0 {
            text.push_str(&format!(
                "  services  {} hunt groups and {} call centers per group\n",
                args.hunt_groups, args.call_centers
            ));
        }
        let faults = faults_line(&args);
        if !faults.is_empty() {
            text.push_str(&format!("  faults    {faults}\n"));
        }
        let variant = args.variant().describe();
        if !variant.is_empty() {
            text.push_str(&format!("  answers   {variant}\n"));
        }
        text.push_str("Ctrl-C stops it.\n");
        if let Err(e) = print(&text) {
            notes.warn(&e.to_string());
        }
    };
    runtime.block_on(sim::serve(config, args.port, banner, async {
        let _ = tokio::signal::ctrl_c().await;
    }))?;
    notes.note("simulator stopped");
    Ok(())
}

fn faults_line(args: &Args) -> String {
    let mut faults = Vec::new();
    if args.latency > 0 || args.jitter > 0 {
        faults.push(format!(
            "latency {} ms + up to {} ms",
            args.latency, args.jitter
        ));
    }
    if let Some(limit) = args.rate_limit {
        faults.push(format!("rate limit {limit}/s"));
    }
    if args.fail_rate > 0.0 {
        faults.push(format!(
            "503 before {:.1}% of writes",
            args.fail_rate * 100.0
        ));
    }
    if args.drop_rate > 0.0 {
        faults.push(format!(
            "{:.1}% of writes dropped unanswered",
            args.drop_rate * 100.0
        ));
    }
    if args.no_bulk_reads {
        faults.push("no /bulk reads or writes (404)".to_string());
    } else if args.no_bulk_writes {
        faults.push("no bulk writes (405)".to_string());
    }
    if let (Some(status), Some(to)) = (args.redirect, &args.redirect_to) {
        let which = match args.redirect_data_only {
            true => "every request after the login",
            false => "every request",
        };
        faults.push(format!("{which} redirected ({status}) to {to}"));
    }
    if !args.html_reads.is_empty() {
        faults.push(format!(
            "HTML login page for reads of {}",
            args.html_reads.join(", ")
        ));
    }
    if !args.html_writes.is_empty() {
        faults.push(format!(
            "HTML login page after writes of {}",
            args.html_writes.join(", ")
        ));
    }
    if args.hang_login {
        faults.push("logins never answered".to_string());
    }
    if args.dns_adds_lost {
        faults.push("numbers added to a group answered 200, not added".to_string());
    }
    if args.token_ttl != 86_400 {
        faults.push(format!("tokens live {} s", args.token_ttl));
    }
    faults.join(", ")
}
