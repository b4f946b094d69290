//! The Odin resources a sheet can change (DESIGN.md section 2), named as plan files name them.
//! `credentials` has no namespace of field paths: its columns are `credentials.<name>`, read
//! by [`crate::credentials::Credential`].

use serde::{Deserialize, Serialize};

use crate::notation::Namespace;

/// One Odin resource of a user. The endpoints behind each belong to the Odin client; the
/// plan only needs the name and the order in which a user's steps run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Resource {
    /// The user record (`/users`).
    User,
    /// Assigned services and service packs (`/users/services`).
    Services,
    /// Service settings (`/users/services/settings`).
    Settings,
    /// The call processing policy (`/users/call-processing-policy`).
    Policy,
    /// Write-only credentials (`/users/authentication`, `/users/passwords`,
    /// `/users/portal-passcode`, API.md §11): never read, never restored.
    Credentials,
    /// Shared call appearance endpoints (`/users/shared-call-appearance/endpoints`, API.md
    /// §13): a list of entries keyed by line port, each added or removed by a request of
    /// its own.
    #[serde(rename = "sca")]
    SharedCallAppearance,
    /// The numbers of the user's group (`/groups/dns`, API.md §12): national number → `{}`
    /// while it is in the group. A list of the group's, read and written for the users whose
    /// numbers need it; derived from `user.phoneNumber`.
    Numbers,
    /// Whether numbers of the user's group are active (`PUT /groups/dns`, API.md §12):
    /// national number (or `""`, the number the user holds) → `{activated}`.
    Activation,
    /// Whether the user exists (`POST /users`, `DELETE /users`, API.md §14): a list of one
    /// entry keyed by the user id, its record (and, read before a delete, everything else
    /// sleipnir can read of the user) while it exists. Written by a row's `action`.
    Account,
    /// The hunt groups of the user's group the user is an agent of (API.md §15): hunt
    /// group service user id → `{}` while a member (read with `position`, its index in the
    /// agent list), null when not. A list of the group's: each hunt group's agent list is
    /// read once and written once (`PUT /groups/hunt-groups`) for the run's users.
    #[serde(rename = "huntGroups")]
    HuntGroups,
    /// The call centers of the user's group the user is an agent of (API.md §15): call
    /// center service user id → `{}` while a member (read with `position` and
    /// `skillLevel`), null when not; written with `PUT /groups/call-centers/agents`.
    #[serde(rename = "callCenters")]
    CallCenters,
}

impl Resource {
    /// The lists ([`Resource::is_list`]), in the order their steps run.
    pub const LISTS: [Resource; 3] = [
        Resource::SharedCallAppearance,
        Resource::HuntGroups,
        Resource::CallCenters,
    ];

    /// The name used in plan files and output.
    pub fn name(self) -> &'static str {
        match self {
            Resource::User => "user",
            Resource::Services => "services",
            Resource::Settings => "settings",
            Resource::Policy => "policy",
            Resource::Credentials => "credentials",
            Resource::SharedCallAppearance => "sca",
            Resource::Numbers => "numbers",
            Resource::Activation => "activation",
            Resource::Account => "account",
            Resource::HuntGroups => "huntGroups",
            Resource::CallCenters => "callCenters",
        }
    }

    /// Whether the resource is a list of entries keyed by an id (a line port…) rather than a
    /// document of fields: a step sets whole entries or removes them, and
    /// [`crate::operation`] reads and writes them.
    pub fn is_list(self) -> bool {
        matches!(
            self,
            Resource::SharedCallAppearance
                | Resource::Numbers
                | Resource::Activation
                | Resource::Account
                | Resource::HuntGroups
                | Resource::CallCenters
        )
    }

    /// Whether the list is the user's group's rather than the user's own (numbers): its
    /// writes for the users of one group can go in one request.
    pub fn of_group(self) -> bool {
        matches!(
            self,
            Resource::Numbers | Resource::Activation | Resource::HuntGroups | Resource::CallCenters
        )
    }

    /// The resource a namespace's fields live in (`packs` are part of `services`).
    pub fn of(namespace: Namespace) -> Resource {
        match namespace {
            Namespace::User => Resource::User,
            Namespace::Policy => Resource::Policy,
            Namespace::Settings => Resource::Settings,
            Namespace::Services | Namespace::Packs => Resource::Services,
        }
    }
}

impl std::fmt::Display for Resource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
