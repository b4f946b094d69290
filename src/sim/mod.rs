//! The Odin simulator (DESIGN.md section 7): the endpoints of the API notes over HTTP on
//! loopback, with in-memory users seeded from the real examples, strict validation, and
//! faults to inject. `sleipnir sim` serves it until Ctrl-C; tests and benchmarks start it
//! in-process with [`Simulator::start`].

mod api;
mod appearances;
mod faults;
mod impostor;
mod layer;
mod lines;
mod members;
mod seed;
mod server;
mod state;
mod stats;
mod tokens;
mod variant;

use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

pub use faults::FaultConfig;
pub use impostor::LOGIN_PAGE_TITLE;
pub use members::{
    CALL_CENTER_LICENCES, call_center_id, hunt_group_id, service_extension, service_number,
};
pub use seed::{
    DEVICES, DOMAIN, SERVICE_PROVIDER, SPARE_POOL, group_id, group_spares, user_id, user_number,
};
pub use server::serve_until as serve;
pub use state::SimCredentials;
pub use stats::{GroupCount, RouteCount, StatsReport};
pub use variant::{
    AgentRows, AgentsOmitted, BulkWritePartial, CreateExtension, DeleteUnknown, DnsAddExisting,
    DnsPutAnswer, ErrorBody, ExpiredTokenStatus, HuntGroupRead, ImpSpelling, MemberVariant,
    NestedWrites, PhoneNotInGroup, ScaBulkShape, ScaDeleteStyle, SkillPut, UnknownUserRead,
    Variant,
};

use crate::schema::SchemaError;

/// The login the simulator accepts when none is given in its environment.
pub const DEFAULT_USERNAME: &str = "admin@sim.example.net";
/// The password of [`DEFAULT_USERNAME`]; a published test value, not a secret.
pub const DEFAULT_PASSWORD: &str = "sleipnir-sim";

/// The admin login the simulator accepts.
#[derive(Clone, PartialEq, Eq)]
pub struct Login {
    /// The user name.
    pub username: String,
    /// The password.
    pub password: String,
}

impl Default for Login {
    fn default() -> Login {
        Login {
            username: DEFAULT_USERNAME.to_string(),
            password: DEFAULT_PASSWORD.to_string(),
        }
    }
}

impl fmt::Debug for Login {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Login")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// How to build and run a simulator.
#[derive(Debug, Clone, PartialEq)]
pub struct SimConfig {
    /// How many users (`user00001@sim.example.net`, …).
    pub users: usize,
    /// How many groups they are spread over (round robin).
    pub groups: usize,
    /// How many hunt groups each group has (`hg1.grp01@sim.example.net`, …; API.md §15),
    /// each holding a number and an extension, three users as agents. None by default: the
    /// numbers and extensions they hold would change every group's number list.
    pub hunt_groups: usize,
    /// How many call centers each group has (`cc1.grp01@sim.example.net`, …), the first
    /// holding a number and an extension; with any, each group's first four users hold a
    /// call center licence. None by default.
    pub call_centers: usize,
    /// Seed for the users' variation and for every injected fault.
    pub seed: u64,
    /// How long a token lives.
    pub token_ttl: Duration,
    /// The accepted login.
    pub login: Login,
    /// Faults to inject.
    pub faults: FaultConfig,
    /// The answer to each unknown of the API.
    pub variant: Variant,
}

impl Default for SimConfig {
    fn default() -> SimConfig {
        SimConfig {
            users: 100,
            groups: 4,
            hunt_groups: 0,
            call_centers: 0,
            seed: 1,
            token_ttl: Duration::from_secs(24 * 60 * 60),
            login: Login::default(),
            faults: FaultConfig::default(),
            variant: Variant::default(),
        }
    }
}

/// Why a simulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The port is taken or not ours.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
    /// The async runtime could not start.
    #[error("cannot start the simulator's runtime: {0}")]
    Runtime(std::io::Error),
    /// The embedded examples are broken (a build defect).
    #[error(transparent)]
    Schema(#[from] SchemaError),
}

/// Everything the handlers share.
#[derive(Debug)]
pub(crate) struct Sim {
    config: SimConfig,
    catalog: state::Catalog,
    directory: Mutex<state::Directory>,
    /// Tokens issued.
    tokens: tokens::Tokens,
    faults: faults::Faults,
    stats: stats::Stats,
    /// Draws the credential generators' values (API.md §11), seeded.
    generator: Mutex<rand_chacha::ChaCha8Rng>,
}

impl Sim {
    fn new(config: SimConfig) -> Result<Sim, SimError> {
        let catalog =
            state::Catalog::builtin(config.variant.imp_spelling, config.call_centers > 0)?;
        let mut directory = seed::seed(&catalog, config.users, config.groups, config.seed);
        members::seed(
            &mut directory,
            &catalog,
            config.hunt_groups,
            config.call_centers,
        );
        let config_seed = config.seed;
        Ok(Sim {
            faults: faults::Faults::new(config.faults.clone(), config.seed),
            config,
            catalog,
            directory: Mutex::new(directory),
            tokens: tokens::Tokens::default(),
            stats: stats::Stats::default(),
            generator: Mutex::new(rand::SeedableRng::seed_from_u64(
                config_seed ^ 0x5EC2_E75E_C2E7_5EC2,
            )),
        })
    }

    // A handler that panicked mid-write cannot leave the maps unusable; keep serving.
    fn directory(&self) -> MutexGuard<'_, state::Directory> {
        self.directory.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A generated credential value, from the seeded generator.
    fn generate(&self, make: fn(&mut rand_chacha::ChaCha8Rng) -> String) -> String {
        let mut rng = self.generator.lock().unwrap_or_else(|e| e.into_inner());
        make(&mut rng)
    }

    /// A new token for the admin, valid for `token_ttl`.
    fn issue_token(&self) -> String {
        self.tokens.issue(
            &self.config.login.username,
            self.config.token_ttl,
            self.faults.token_signature(),
        )
    }
}

/// A simulator running in-process on a loopback port, in a thread of its own; it stops
/// when dropped.
pub struct Simulator {
    sim: Arc<Sim>,
    addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Simulator {
    /// Seed the users and serve on `127.0.0.1:port` (0 picks a free port).
    pub fn start(config: SimConfig, port: u16) -> Result<Simulator, SimError> {
        let sim = Arc::new(Sim::new(config)?);
        let listener = server::bind(port)?;
        let addr = listener.local_addr().map_err(SimError::Runtime)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(SimError::Runtime)?;
        let (shutdown, stop) = tokio::sync::oneshot::channel::<()>();
        let served = sim.clone();
        let thread = std::thread::Builder::new()
            .name("odin-sim".into())
            .spawn(move || {
                runtime.block_on(async move {
                    match tokio::net::TcpListener::from_std(listener) {
                        Ok(listener) => {
                            server::serve(listener, api::router(served), async {
                                let _ = stop.await;
                            })
                            .await;
                        }
                        Err(e) => eprintln!("odin simulator: cannot listen: {e}"),
                    }
                });
                runtime.shutdown_background();
            })
            .map_err(SimError::Runtime)?;
        Ok(Simulator {
            sim,
            addr,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The Odin base URL: `http://127.0.0.1:PORT/api/v2`.
    pub fn base_url(&self) -> String {
        format!("http://{}/api/v2", self.addr)
    }

    /// The four resources of `user_id` (user record, services, settings, policy) keyed by
    /// resource name, as `GET /__sim/state` shows them; read in-process, no request is made.
    pub fn state(&self, user_id: &str) -> Option<serde_json::Value> {
        let directory = self.sim.directory();
        let user = directory.users.get(user_id)?;
        let settings = api::settings_view(&self.sim, &directory, user);
        Some(user.state_view(&self.sim.catalog, settings))
    }

    /// The credentials `user_id` holds (API.md §11), which no endpoint shows; read
    /// in-process, for tests.
    pub fn credentials(&self, user_id: &str) -> Option<SimCredentials> {
        let directory = self.sim.directory();
        Some(directory.users.get(user_id)?.credentials.clone())
    }

    /// From now on answer 400 to the settings writes of `users` (and of no one else),
    /// changing nothing: see [`FaultConfig::refuse_settings_of`].
    pub fn refuse_settings_of(&self, users: &[String]) {
        self.sim.faults.refuse_settings_of(users);
    }

    /// The number list of `group` of service provider `sp` (national number, ten digits →
    /// whether it is activated), and the enterprise's pool (number → its group, `None` in
    /// none); read in-process, for tests.
    pub fn numbers(&self, sp: &str, group: &str) -> SimNumbers {
        let directory = self.sim.directory();
        let lines = &directory.lines;
        SimNumbers {
            list: lines
                .list(sp, group)
                .map(|list| {
                    list.iter()
                        .map(|(dn, on)| (lines::national(*dn), *on))
                        .collect()
                })
                .unwrap_or_default(),
            pool: lines
                .pools
                .get(sp)
                .map(|pool| {
                    pool.iter()
                        .map(|(dn, g)| (lines::national(*dn), g.clone()))
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    /// The agents of hunt group or call center `service_user_id` in list order, each with
    /// its skill level (call centers; `None` unset), `None` for no such service; read
    /// in-process, for tests.
    pub fn agents(&self, service_user_id: &str) -> Option<Vec<(String, Option<u64>)>> {
        let directory = self.sim.directory();
        let service = directory.members.find(service_user_id)?;
        Some(
            service
                .agents
                .iter()
                .map(|a| (a.user_id.clone(), a.skill_level))
                .collect(),
        )
    }

    /// Set the agents of hunt group or call center `service_user_id` (in list order, with
    /// skill levels) and, where `setting` is given, one of its settings — another admin's
    /// edit, in-process, for tests. Whether the service exists.
    pub fn edit_service(
        &self,
        service_user_id: &str,
        agents: Vec<(String, Option<u64>)>,
        setting: Option<(&str, serde_json::Value)>,
    ) -> bool {
        let mut directory = self.sim.directory();
        let Some(service) = directory.members.find_mut(service_user_id) else {
            return false;
        };
        service.agents = agents
            .into_iter()
            .map(|(user_id, skill_level)| members::Agent {
                user_id,
                skill_level,
            })
            .collect();
        if let Some((key, value)) = setting
            && let Some(settings) = service.settings.as_object_mut()
        {
            settings.insert(key.to_string(), value);
        }
        true
    }

    /// Rename hunt group or call center `service_user_id` (its profile's `name`), in-process,
    /// for tests. Whether the service exists.
    pub fn rename_service(&self, service_user_id: &str, name: &str) -> bool {
        let mut directory = self.sim.directory();
        let Some(service) = directory.members.find_mut(service_user_id) else {
            return false;
        };
        service.profile["name"] = serde_json::Value::String(name.to_string());
        true
    }

    /// A setting of hunt group or call center `service_user_id`; read in-process, for tests.
    pub fn service_setting(&self, service_user_id: &str, key: &str) -> Option<serde_json::Value> {
        let directory = self.sim.directory();
        directory
            .members
            .find(service_user_id)
            .and_then(|s| s.settings.get(key).cloned())
    }

    /// Whether user `user_id` exists; read in-process, for tests.
    pub fn has_user(&self, user_id: &str) -> bool {
        self.sim.directory().users.contains_key(user_id)
    }

    /// The request statistics, as `GET /__sim/stats` shows them; read in-process.
    pub fn stats(&self) -> StatsReport {
        self.sim.stats.report()
    }

    /// The URL of a path outside the Odin API, e.g. `/__sim/stats`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

/// A group's numbers and its enterprise's pool, as [`Simulator::numbers`] reads them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimNumbers {
    /// National number → activated.
    pub list: std::collections::BTreeMap<String, bool>,
    /// National number → the group holding it (`None`: in no group).
    pub pool: std::collections::BTreeMap<String, Option<String>>,
}

impl Drop for Simulator {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
